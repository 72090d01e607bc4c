import ArgumentParser
import ODCSCore

/// `odcs about`: the server's version, auth backend and limits.
struct AboutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "about", abstract: "Show what the server is and allows.")

    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await ClientExit.run {
            let about = try await options.client().get("/api/1/about/")
            if options.json {
                print(ClientOutput.prettyJSON(about))
            } else {
                let object = about.objectValue ?? JSONObject()
                print(
                    ClientOutput.fields([
                        ("server", options.serverURL),
                        ("version", ClientOutput.cell(object["version"])),
                        ("auth_backend", ClientOutput.cell(object["auth_backend"])),
                        ("sigkeys", ClientOutput.cell(object["sigkeys"])),
                        ("raw_config_urls", object["raw_config_urls"]?.objectValue?.keys.sorted().joined(separator: " ") ?? "-"),
                        ("allowed_clients", object["allowed_clients"]?.serialized() ?? "-"),
                    ]))
            }
            return ClientExit.success
        }
    }
}
