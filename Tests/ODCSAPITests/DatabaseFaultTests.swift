import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ODCSCore
@_spi(Testing) import ODCSStore
import ODCSTesting
import Testing

/// A request whose database goes away under it (a restart, a failover,
/// `pg_terminate_backend`) is answered 503 with `Retry-After` in upstream's error body, never
/// 500, and the next request works on a new connection: the node needs no restart.
@Suite struct DatabaseFaultTests {
    @Test(.timeLimit(.minutes(2))) func aConnectionKilledUnderARequestIs503WithRetryAfter() async throws {
        try await TestDatabase.withSchema { client, schema in
            let api = TestAPI(store: ComposeStore(client: client, logger: TestDatabase.logger))
            try await api.test { client in
                let created = try await client.request(.post, "/api/1/composes/", body: #"{"source":{"type":"tag","source":"f26"}}"#)
                let id = Int64(try #require(try created.json["id"]?.int))
                try await api.store.overwriteState(id: id, state: .done, expiresInSeconds: 60)
                let holder = try await LockHolder.begin(schema: schema)
                try await holder.lockCompose(id)
                // The renew waits for the row; its backend is killed while it waits (the signal
                // is PostgreSQL's own list of who waits for whom, no sleep).
                async let renewed = client.request(.patch, "/api/1/composes/\(id)", body: #"{"seconds_to_live": 600}"#)
                try await holder.terminate(try await holder.waiters())
                let response = try await renewed
                try await holder.commit()
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "2")
                #expect(
                    try response.json
                        == [
                            "error": "Service Unavailable", "message": "The database is unavailable at the moment; retry the request.",
                            "status": 503,
                        ])
                let again = try await client.request(.patch, "/api/1/composes/\(id)", body: #"{"seconds_to_live": 600}"#)
                #expect(again.status == .ok)
            }
        }
    }
}
