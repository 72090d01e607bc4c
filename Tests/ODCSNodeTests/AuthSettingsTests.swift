import Foundation
import ODCSAuth
import ODCSCore
import ODCSNode
import Testing

@Suite struct AuthSettingsTests {
    func load(_ environment: [String: String], file: String? = nil) throws -> NodeConfiguration {
        try ConfigurationLoader(environment: environment).load(file: file)
    }

    func message(_ environment: [String: String], file: String? = nil) -> String? {
        do {
            _ = try load(environment, file: file)
            return nil
        } catch {
            return "\(error)"
        }
    }

    func withFile<R>(_ text: String, _ body: (String) throws -> R) throws -> R {
        let path = NSTemporaryDirectory() + "odcs-auth-\(UUID().uuidString)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    static let oidc = [
        "ODCS_AUTH_BACKEND": "oidc", "ODCS_AUTH_OIDC_ISSUER": "https://id.example.com/realms/odcs",
        "ODCS_AUTH_OIDC_AUDIENCES": #"["odcs"]"#,
    ]

    @Test func noauthOnAClusterDatabaseWarnsLoudly() throws {
        #expect(try load([:]).warnings.isEmpty)
        let cluster = try load(["ODCS_DATABASE_URL": "postgres://odcs@db/odcs"])
        #expect(cluster.warnings.count == 1)
        #expect(cluster.warnings.first?.hasPrefix("INSECURE: auth_backend is noauth with a configured database.url") == true)
        var secured = Self.oidc
        secured["ODCS_DATABASE_URL"] = "postgres://odcs@db/odcs"
        #expect(try load(secured).warnings.isEmpty)
    }

    @Test func oidcNeedsAnIssuerAndAudiences() throws {
        #expect(message(["ODCS_AUTH_BACKEND": "oidc"])?.contains("needs auth.oidc.issuer") == true)
        #expect(
            message(["ODCS_AUTH_BACKEND": "oidc", "ODCS_AUTH_OIDC_ISSUER": "https://id.example.com"])?.contains("needs auth.oidc.audiences")
                == true)
        #expect(
            message(["ODCS_AUTH_BACKEND": "oidc", "ODCS_AUTH_OIDC_ISSUER": "id.example.com", "ODCS_AUTH_OIDC_AUDIENCES": #"["a"]"#])?
                .contains("must be an http(s) URL") == true)
        let configuration = try load(Self.oidc.merging(["ODCS_AUTH_OPENIDC_REQUIRED_SCOPES": #"["openid"]"#]) { $1 })
        #expect(configuration.auth.backend == .oidc)
        #expect(configuration.auth.oidc?.issuer == "https://id.example.com/realms/odcs")
        #expect(configuration.auth.oidc?.requiredScopes == ["openid"])
        #expect(configuration.auth.oidc?.usernameClaim == "sub" && configuration.auth.oidc?.groupsClaim == "groups")
        #expect(configuration.auth.scopeNamespace == "https://pagure.io/odcs/")
    }

    @Test func proxyNeedsTrustedAddresses() throws {
        #expect(message(["ODCS_AUTH_BACKEND": "proxy"])?.contains("needs auth.proxy.trusted_proxies") == true)
        #expect(
            message(["ODCS_AUTH_BACKEND": "proxy", "ODCS_AUTH_PROXY_TRUSTED_PROXIES": #"["10.0.0.0/33"]"#])?
                .contains("10.0.0.0/33 is not an address or a CIDR range") == true)
        #expect(
            message([
                "ODCS_AUTH_BACKEND": "proxy", "ODCS_AUTH_PROXY_TRUSTED_PROXIES": #"["10.0.0.1"]"#, "ODCS_AUTH_PROXY_USER_HEADER": "X User",
            ])?.contains("must be an HTTP header name") == true)
        let configuration = try load(
            [
                "ODCS_AUTH_BACKEND": "oidc_or_proxy", "ODCS_AUTH_PROXY_TRUSTED_PROXIES": #"["10.0.0.0/8", "::1"]"#,
                "ODCS_AUTH_PROXY_GROUPS_HEADER": "X-Remote-Groups",
            ].merging(Self.oidc.filter { $0.key != "ODCS_AUTH_BACKEND" }) { $1 })
        #expect(configuration.auth.proxy?.trustedProxies.map(\.description) == ["10.0.0.0/8", "0:0:0:0:0:0:0:1/128"])
        #expect(configuration.auth.proxy?.userHeader == "X-Remote-User" && configuration.auth.proxy?.groupsHeader == "X-Remote-Groups")
        #expect(configuration.auth.oidc != nil)
    }

    @Test func clientSecretComesFromAFileOrTheEnvironmentOnly() throws {
        try withFile("auth:\n  oidc:\n    client_secret: hunter2\n") { path in
            let text = message([:], file: path)
            #expect(text?.contains("is a secret and cannot be set in \(path)") == true)
            #expect(text?.contains("hunter2") == false)
        }
        try withFile("from-a-file\n") { path in
            var environment = Self.oidc
            environment["ODCS_AUTH_OIDC_CLIENT_ID"] = "odcs"
            environment["ODCS_AUTH_OIDC_CLIENT_SECRET_FILE"] = path
            let configuration = try load(environment)
            #expect(configuration.auth.oidc?.clientSecret?.value == "from-a-file")
            #expect("\(configuration.auth.oidc!.clientSecret!)" == "<redacted>")
            environment["ODCS_AUTH_OIDC_CLIENT_SECRET"] = "also-env"
            #expect(message(environment)?.contains("both set") == true)
        }
        var environment = Self.oidc
        environment["ODCS_AUTH_OIDC_CLIENT_ID"] = "odcs"
        environment["ODCS_AUTH_OIDC_CLIENT_SECRET"] = "from-the-environment"
        let configuration = try load(environment)
        #expect(configuration.auth.oidc?.clientSecret?.value == "from-the-environment")
        #expect(!configuration.effective.serialized().contains("from-the-environment"))
        #expect(configuration.effective.objectValue?["auth.oidc.client_secret"] == "<redacted>")
        environment["ODCS_AUTH_OIDC_CLIENT_ID"] = nil
        #expect(message(environment)?.contains("auth.oidc.client_id must be set with a client secret") == true)
        environment["ODCS_AUTH_OIDC_CLIENT_SECRET_FILE"] = "/nonexistent/secret"
        environment["ODCS_AUTH_OIDC_CLIENT_SECRET"] = nil
        #expect(message(environment)?.contains("cannot read /nonexistent/secret") == true)
    }

    @Test func accessPolicyComesFromAdminsAllowedClientsAndTheDefaults() throws {
        let configuration = try load([
            "ODCS_ADMINS": #"{"users": ["root"], "groups": ["odcs-admins"]}"#,
            "ODCS_ALLOWED_CLIENTS": #"{"users": {"ralph": {"arches": ["aarch64"]}}, "groups": {"packagers": {}}}"#,
            "ODCS_ALLOWED_ARCHES": #"["x86_64", "s390x"]"#,
        ])
        let access = configuration.auth.access
        #expect(access.admins == RoleMembers(users: ["root"], groups: ["odcs-admins"]))
        #expect(access.allowedClients.users["ralph"] == ClientLimits([.arches: ["aarch64"]]))
        #expect(access.defaults.allowed[.arches] == ["x86_64", "s390x"])
        #expect(access.defaults.allowed[.targetDirs] == [])
        #expect(
            message(["ODCS_ALLOWED_CLIENTS": #"{"users": {"ralph": {"colour": ["red"]}}}"#])?
                .hasPrefix("configuration key allowed_clients.users.ralph.colour is unknown") == true)
        #expect(message(["ODCS_ADMINS": #"{"people": []}"#])?.contains("admins.people is unknown") == true)
    }
}
