import Foundation
import ODCSCore
import ODCSNode
import Testing

@Suite struct ConfigurationLoaderTests {
    func withFile<R>(_ text: String, _ body: (String) throws -> R) throws -> R {
        let path = NSTemporaryDirectory() + "odcs-config-\(UUID().uuidString).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func hasUpstreamDefaultsWithoutAnyConfiguration() throws {
        let configuration = try ConfigurationLoader(environment: [:]).load(file: nil)
        #expect(configuration.targetDir == "/tmp")
        #expect(configuration.targetDirURL == "http://localhost/odcs")
        #expect(configuration.policy.secondsToLive == 86400 && configuration.policy.maxSecondsToLive == 259200)
        #expect(configuration.policy.defaultArches == ["x86_64"] && configuration.sigkeys == [])
        #expect(configuration.values["num_concurrent_pungi"] == 2)
        #expect(configuration.values["allowed_source_types"] == ["tag", "module", "build"])
        #expect(configuration.databaseURL == nil)
        #expect(configuration.authBackend == "noauth")
    }

    @Test func flagsWinOverEnvironmentWhichWinsOverTheFile() throws {
        try withFile(
            """
            port: 6000
            seconds_to_live: 100
            target_dir: /srv/file
            database:
              url: postgres://file@db/odcs
            """
        ) { path in
            let environment = ["ODCS_SECONDS_TO_LIVE": "200", "ODCS_TARGET_DIR": "/srv/env", "ODCS_ARCHES": #"["aarch64","x86_64"]"#]
            let configuration = try ConfigurationLoader(environment: environment)
                .load(file: path, overrides: ["target_dir": "/srv/flag"])
            #expect(configuration.port == 6000)
            #expect(configuration.policy.secondsToLive == 200)
            #expect(configuration.targetDir == "/srv/flag")
            #expect(configuration.policy.defaultArches == ["aarch64", "x86_64"])
            #expect(configuration.databaseURL == "postgres://file@db/odcs")
        }
    }

    @Test func nestedKeysMapToJoinedEnvironmentNames() throws {
        let configuration = try ConfigurationLoader(environment: [
            "ODCS_DATABASE_URL": "postgres://env@db/odcs", "ODCS_AUTH_BACKEND": "noauth",
        ])
        .load(file: nil)
        #expect(configuration.databaseURL == "postgres://env@db/odcs")
        #expect(ConfigurationKey.named("num_concurrent_pungi")?.environmentName == "ODCS_NUM_CONCURRENT_PUNGI")
        #expect(ConfigurationKey.named("embedded_postgres.bin_dir")?.environmentName == "ODCS_EMBEDDED_POSTGRES_BIN_DIR")
    }

    @Test func readsTheDatabaseURLFromAMountedSecretFile() throws {
        try withFile("postgres://odcs:s3cret@db/odcs\n") { secret in
            let configuration = try ConfigurationLoader(environment: ["ODCS_DATABASE_URL_FILE": secret]).load(file: nil)
            #expect(configuration.databaseURL == "postgres://odcs:s3cret@db/odcs")

            let both = message {
                _ = try ConfigurationLoader(environment: ["ODCS_DATABASE_URL_FILE": secret, "ODCS_DATABASE_URL": "postgres://x@db/odcs"])
                    .load(file: nil)
            }
            #expect(both == "database.url and database.url_file are both set; keep one")
        }
        try withFile("") { empty in
            let refused = message { _ = try ConfigurationLoader(environment: ["ODCS_DATABASE_URL_FILE": empty]).load(file: nil) }
            #expect(refused == "configuration key database.url_file: \(empty) is empty")
        }
        let missing = message {
            _ = try ConfigurationLoader(environment: ["ODCS_DATABASE_URL_FILE": "/nonexistent/db-url"]).load(file: nil)
        }
        #expect(missing == "configuration key database.url_file: cannot read /nonexistent/db-url")
    }

    @Test func namesTheBadKeyAndWhereItCameFrom() throws {
        try withFile("prot: 5005\n") { path in
            #expect(
                message { _ = try ConfigurationLoader(environment: [:]).load(file: path) }?.contains("unknown configuration key prot")
                    == true)
        }
        try withFile("port: lots\n") { path in
            let text = message { _ = try ConfigurationLoader(environment: [:]).load(file: path) }
            #expect(text?.contains("port") == true && text?.contains(path) == true)
        }
        let environment = message { _ = try ConfigurationLoader(environment: ["ODCS_PORT": "x"]).load(file: nil) }
        #expect(environment == #"ODCS_PORT must be an integer, got "x""#)
        let unknown = message { _ = try ConfigurationLoader(environment: ["ODCS_NOPE": "1"]).load(file: nil) }
        #expect(unknown?.contains("ODCS_NOPE") == true)
        let list = message { _ = try ConfigurationLoader(environment: ["ODCS_ARCHES": "x86_64"]).load(file: nil) }
        #expect(list?.contains("ODCS_ARCHES must be JSON") == true)
        let relative = message { _ = try ConfigurationLoader(environment: [:]).load(file: nil, overrides: ["target_dir": "srv"]) }
        #expect(relative?.contains("target_dir must be an absolute path") == true)
        let backend = message { _ = try ConfigurationLoader(environment: ["ODCS_AUTH_BACKEND": "kerberos"]).load(file: nil) }
        #expect(backend?.contains("auth_backend") == true)
        let missing = message { _ = try ConfigurationLoader(environment: [:]).load(file: "/nonexistent/odcs.yaml") }
        #expect(missing == "configuration file /nonexistent/odcs.yaml does not exist")
    }

    @Test func readsRawConfigTimeToLiveOverrides() throws {
        try withFile(
            """
            raw_config_urls:
              pungi_cfg:
                url: https://git.example.com/cfg.git
                config_filename: pungi.conf
                seconds_to_live: 345600
            extra_target_dirs:
              releng-private: /srv/private
            """
        ) { path in
            let configuration = try ConfigurationLoader(environment: [:]).load(file: path)
            #expect(configuration.policy.rawConfigs["pungi_cfg"]?.secondsToLive == 345600)
            #expect(configuration.extraTargetDirs == ["releng-private": "/srv/private"])
            #expect(configuration.rawConfigURLs["pungi_cfg"]?["config_filename"] == "pungi.conf")
        }
    }
}

extension JSONValue {
    subscript(_ key: String) -> JSONValue? { objectValue?[key] }
}

@Suite struct DatabaseURLTests {
    @Test func parsesTCPAndSocketURLs() throws {
        let tcp = try DatabaseURL(parsing: "postgres://odcs:s%40cret@db.example.com:6543/odcs?sslmode=require")
        #expect(tcp.endpoint == .tcp(host: "db.example.com", port: 6543))
        #expect(tcp.username == "odcs" && tcp.password == "s@cret" && tcp.database == "odcs" && tcp.sslMode == "require")
        #expect(!tcp.redacted.contains("cret"))
        let socket = try DatabaseURL(parsing: "postgresql://app@/odcs?host=/run/postgresql&port=5433")
        #expect(socket.endpoint == .unixSocket(path: "/run/postgresql/.s.PGSQL.5433"))
        #expect(throws: ConfigurationError.self) { try DatabaseURL(parsing: "mysql://x@y/z") }
    }
}
