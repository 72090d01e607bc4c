import ArgumentParser
import Foundation

/// Options of every client command: which server, as whom, and how to print.
struct ClientOptions: ParsableArguments {
    @Option(help: "The service URL (default: $ODCS_SERVER, else http://127.0.0.1:5005).")
    var server: String?

    @Option(help: "A bearer token (OIDC access token) for the server (default: $ODCS_TOKEN).")
    var token: String?

    @Option(help: "Read the bearer token from this file.", completion: .file())
    var tokenFile: String?

    @Flag(help: "Print the server's JSON instead of a table.")
    var json = false

    static let defaultServer = "http://127.0.0.1:5005"

    var serverURL: String {
        server ?? ProcessInfo.processInfo.environment["ODCS_SERVER"] ?? Self.defaultServer
    }

    /// `--token`, else `--token-file`, else `$ODCS_TOKEN`; none means anonymous.
    func bearerToken() throws -> String? {
        if let token { return token }
        if let tokenFile {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw ValidationError("cannot read the token file \(tokenFile)")
            }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw ValidationError("the token file \(tokenFile) is empty") }
            return trimmed
        }
        if let token = ProcessInfo.processInfo.environment["ODCS_TOKEN"], !token.isEmpty { return token }
        return nil
    }

    func client() throws -> ODCSClient {
        try ODCSClient(server: serverURL, token: bearerToken())
    }
}

/// The exit codes of the client commands (docs/cli.md).
enum ClientExit {
    /// The compose is done, or the request succeeded.
    static let success: Int32 = 0
    /// The compose failed or was removed.
    static let composeFailed: Int32 = 1
    /// `wait` (or `create --wait`) gave up after `--timeout` seconds.
    static let timedOut: Int32 = 2
    /// The server answered with an error (its message is printed).
    static let serverError: Int32 = 3
    /// The server could not be reached, or answered something that is not the API.
    static let unreachable: Int32 = 4

    /// Runs a client command: a server error or a connection failure is printed to stderr and
    /// becomes its exit code, so scripts can tell them from a failed compose.
    static func run(_ body: () async throws -> Int32) async throws {
        let code: Int32
        do {
            code = try await body()
        } catch let error as ODCSClient.ServerError {
            printError(error.description)
            code = serverError
        } catch let error as ODCSClient.TransportError {
            printError(error.description)
            code = unreachable
        }
        if code != success { throw ExitCode(code) }
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data("odcs: \(text)\n".utf8))
    }
}
