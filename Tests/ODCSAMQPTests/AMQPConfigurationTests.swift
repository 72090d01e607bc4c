import Testing

@testable import ODCSAMQP

@Suite struct AMQPConfigurationTests {
    @Test func parsesFullURL() throws {
        let config = try AMQPConfiguration(url: "amqp://odcs:s%40cret@broker.example.com:5673/%2F?heartbeat=5&connection_timeout=2500")
        #expect(config.host == "broker.example.com")
        #expect(config.port == 5673)
        #expect(config.username == "odcs")
        #expect(config.password == "s@cret")
        #expect(config.virtualHost == "/")
        #expect(config.tls == nil)
        #expect(config.heartbeat == .seconds(5))
        #expect(config.connectTimeout == .milliseconds(2500))
    }

    @Test func appliesDefaults() throws {
        let plain = try AMQPConfiguration(url: "amqp://rabbit")
        #expect(plain.port == 5672)
        #expect(plain.username == "guest")
        #expect(plain.virtualHost == "/")
        #expect(plain.heartbeat == AMQPConfiguration.defaultHeartbeat)
        let tls = try AMQPConfiguration(url: "amqps://rabbit/")
        #expect(tls.port == 5671)
        #expect(tls.tls == AMQPConfiguration.TLS())
        #expect(tls.virtualHost == "/")
    }

    @Test func parsesNamedVirtualHostAndIPv6() throws {
        let config = try AMQPConfiguration(url: "amqp://u:p@[::1]:5000/pubsub")
        #expect(config.host == "::1")
        #expect(config.port == 5000)
        #expect(config.virtualHost == "pubsub")
    }

    @Test func parsesTLSOptions() throws {
        let config = try AMQPConfiguration(
            url:
                "amqps://u:p@10.0.0.5/%2Fpubsub?cacertfile=/etc/ca.pem&certfile=/c.pem&keyfile=/k.pem&server_name_indication=rabbitmq.fedoraproject.org"
        )
        #expect(config.virtualHost == "/pubsub")
        #expect(
            config.tls
                == AMQPConfiguration.TLS(
                    caFile: "/etc/ca.pem", certificateFile: "/c.pem", privateKeyFile: "/k.pem", verification: .full,
                    serverName: "rabbitmq.fedoraproject.org"
                )
        )
        #expect(try AMQPConfiguration(url: "amqps://h?verify=verify_none").tls?.verification == AMQPConfiguration.TLS.Verification.none)
        #expect(try AMQPConfiguration(url: "amqps://h?server_name_indication=disable").tls?.verification == .noHostname)
    }

    @Test(arguments: [
        ("http://u:hunter2@h/", "url"),
        ("amqp://u:hunter2@h:99999/", "url port"),
        ("amqp://u:hunter2@h/?heartbeat=soon", "url query 'heartbeat'"),
        ("amqp://u:hunter2@h/?colour=blue", "url query 'colour'"),
        ("amqp://u:hunter2@h/?cacertfile=/ca.pem", "url query 'cacertfile'"),
        ("amqp://u:hunter2@h/a/b", "url virtual host"),
        ("amqp://u:hunter2%zz@h/", "url password"),
        ("amqp://u:hunter2@h/?frame_max=100", "frame_max"),
    ])
    func rejectsBadURLNamingTheKeyButNotThePassword(url: String, key: String) {
        do {
            _ = try AMQPConfiguration(url: url)
            Issue.record("\(url) was accepted")
        } catch let error as AMQPError {
            guard case .invalidConfiguration(let reportedKey, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(reportedKey == key)
            #expect(!error.description.contains("hunter2"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func descriptionHidesPassword() throws {
        let config = try AMQPConfiguration(url: "amqp://odcs:hunter2@h/%2F")
        #expect(!config.description.contains("hunter2"))
        #expect(config.description.contains("odcs:***@h:5672"))
    }
}
