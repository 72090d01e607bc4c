import Foundation
import ODCSNode
import Testing

/// The MBS and Pulp keys: URLs checked, the Pulp password from the environment or its file
/// (never the configuration file), certificate and key together.
@Suite struct SourceServiceSettingsTests {
    func message(_ environment: [String: String]) -> String? {
        do {
            _ = try ConfigurationLoader(environment: environment).load(file: nil)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func unsetByDefaultAndReadFromTheEnvironment() throws {
        let defaults = try ConfigurationLoader(environment: [:]).load(file: nil).sourceServices
        #expect(defaults.mbsURL == nil && defaults.pulpServerURL == nil && defaults.pulpPassword == nil)
        #expect(defaults.netTimeout == 120)

        let configured = try ConfigurationLoader(environment: [
            "ODCS_MBS_URL": "https://mbs.example.com/module-build-service", "ODCS_PULP_SERVER_URL": "https://pulp.example.com",
            "ODCS_PULP_USERNAME": "odcs", "ODCS_PULP_PASSWORD": "s3cret", "ODCS_NET_TIMEOUT": "30",
        ]).load(file: nil)
        #expect(configured.sourceServices.mbsURL == "https://mbs.example.com/module-build-service")
        #expect(configured.sourceServices.pulpServerURL == "https://pulp.example.com")
        #expect(configured.sourceServices.pulpUsername == "odcs" && configured.sourceServices.pulpPassword == "s3cret")
        #expect(configured.sourceServices.netTimeout == 30)
        #expect(configured.effective.objectValue?["pulp_password"] == "<redacted>")
    }

    @Test func thePasswordFileLosesItsNewline() throws {
        let path = NSTemporaryDirectory() + "odcs-pulp-password-\(UUID().uuidString)"
        try "s3cret\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = try ConfigurationLoader(environment: ["ODCS_PULP_USERNAME": "odcs", "ODCS_PULP_PASSWORD_FILE": path])
            .load(file: nil)
        #expect(configuration.sourceServices.pulpPassword == "s3cret")
    }

    @Test func badSettingsNameTheKey() {
        #expect(message(["ODCS_MBS_URL": "mbs.example.com"]) == "configuration key mbs_url must be an http(s) URL, got mbs.example.com")
        #expect(
            message(["ODCS_PULP_SSL_CERT": "/etc/odcs/pulp.crt"])
                == "configuration keys pulp_ssl_cert and pulp_ssl_key must be set together")
        #expect(message(["ODCS_PULP_PASSWORD": "s3cret"]) == "configuration key pulp_username must be set with a Pulp password")
    }
}
