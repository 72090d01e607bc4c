import Foundation
import Hummingbird
import HummingbirdTesting
import ODCSStore
import ODCSTesting
import Testing

@Suite struct ClusterRoutesTests {
    @Test func nodesRouteListsRegisteredNodesTheirComposesAndDutyLeaders() async throws {
        try await TestAPI.with { api in
            let registry = NodeRegistry(client: api.store.client, logger: TestDatabase.logger)
            try await registry.register(id: "node-a", host: "host-a", version: "0.9.2+swift.0.1.0", workers: 2)
            try await registry.register(id: "node-b", host: "host-b", version: "0.9.2+swift.0.1.0", workers: 0)
            try await registry.touch(id: "node-b", state: "stopped")
            let factory = ComposeFactory(client: api.store.client)
            let first = try await factory.insert()
            let second = try await factory.insert(builds: "bar-1.0-1")
            _ = try await factory.queue.claim(node: "node-a", limit: 2, deadlineSeconds: 600)
            try await api.store.client.query(
                "INSERT INTO leader (duty, term, holder) VALUES ('lease_rescue', 4, 'node-a')", logger: TestDatabase.logger)
            let app = Application(router: api.makeRouter())
            try await app.test(.router) { client in
                try await client.execute(uri: "/api/1/nodes/", method: .get) { response in
                    #expect(response.status == .ok)
                    let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                    let nodes = try #require(body["nodes"] as? [[String: Any]])
                    #expect(nodes.map { $0["id"] as? String } == ["node-a", "node-b"])
                    #expect(nodes.map { $0["alive"] as? Bool } == [true, false])
                    #expect(nodes.first?["workers"] as? Int == 2)
                    // The composes each node generates, for `odcs compose wait`.
                    #expect(nodes.map { $0["composes"] as? [Int] } == [[Int(first.id), Int(second.id)], []])
                    #expect(nodes.map { $0["generating"] as? Int } == [2, 0])
                    let leaders = try #require(body["leaders"] as? [[String: Any]])
                    #expect(leaders.first?["duty"] as? String == "lease_rescue")
                    #expect(leaders.first?["holder"] as? String == "node-a")
                    #expect(leaders.first?["term"] as? Int == 4)
                }
            }
        }
    }
}
