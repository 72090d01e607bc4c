import ArgumentParser
import Foundation
import Logging
import Metrics
import NIOCore
import NIOPosix
import ODCSCore
import ODCSNode
import Prometheus

/// `odcs`: the On Demand Compose Service.
@main
enum Entry {
    static func main() async {
        #if os(Linux)
            // glibc gives threads their own malloc arenas (up to 8 per core), which doubled the
            // node's peak RSS in the benchmark for no speed; two arenas kept it under 100 MiB
            // (docs/benchmarks.md). MALLOC_ARENA_MAX, when set, is glibc's to apply.
            if ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil {
                _ = glibcMallopt(glibcMArenaMax, 2)
            }
        #endif
        // Run Swift concurrency jobs on NIO's event loops: a request then stays on one thread
        // instead of hopping between the event loop and the cooperative pool.
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await ODCSCommand.main()
    }
}

struct ODCSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "odcs",
        abstract: "On Demand Compose Service: temporary RPM repositories on request.",
        version: ODCSVersion.wire,
        subcommands: [Serve.self, Migrate.self, Config.self, ComposeCommand.self, AboutCommand.self])
}

/// Options shared by the server commands; each flag overrides the file and the environment.
struct NodeOptions: ParsableArguments {
    @Option(help: "Configuration file (default \(ConfigurationLoader.defaultFile) if it exists).")
    var config: String?
    @Option(help: "Address to listen on.") var host: String?
    @Option(help: "Port to listen on.") var port: Int?
    @Option(help: "PostgreSQL URL; without one, an embedded PostgreSQL is started.") var databaseURL: String?
    @Option(help: "Directory where composes are written.") var targetDir: String?
    @Option(help: "URL under which the target directory is served.") var targetDirURL: String?
    @Option(help: "This node's name.") var nodeID: String?
    @Option(help: "State directory (embedded PostgreSQL, lock file).") var stateDir: String?
    @Option(help: "Log level.") var logLevel: String?

    func load() throws -> NodeConfiguration {
        var overrides: [String: JSONValue] = [:]
        if let host { overrides["host"] = .string(host) }
        if let port { overrides["port"] = .int(port) }
        if let databaseURL { overrides["database.url"] = .string(databaseURL) }
        if let targetDir { overrides["target_dir"] = .string(targetDir) }
        if let targetDirURL { overrides["target_dir_url"] = .string(targetDirURL) }
        if let nodeID { overrides["node_id"] = .string(nodeID) }
        if let stateDir { overrides["state_dir"] = .string(stateDir) }
        if let logLevel { overrides["log_level"] = .string(logLevel) }
        do {
            return try ConfigurationLoader().load(file: config, overrides: overrides)
        } catch let error as ConfigurationError {
            throw ValidationError(error.message)
        }
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a node: the HTTP API over PostgreSQL.")
    @OptionGroup var options: NodeOptions
    @Flag(help: "Do not apply migrations on start.") var noMigrate = false

    func run() async throws {
        var configuration = try options.load()
        if noMigrate { configuration.migrateOnStart = false }
        LogSetup.bootstrap(format: configuration.logFormat, level: configuration.logLevel)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        var logger = Logger(label: "odcs")
        logger[metadataKey: "node"] = "\(configuration.nodeID)"
        try await Node(configuration: configuration, registry: registry, logger: logger).run()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply schema migrations (safe when several nodes run it at once).")
    @OptionGroup var options: NodeOptions

    func run() async throws {
        let configuration = try options.load()
        LogSetup.bootstrap(format: configuration.logFormat, level: configuration.logLevel)
        let logger = Logger(label: "odcs")
        let applied = try await Node(configuration: configuration, registry: PrometheusCollectorRegistry(), logger: logger).migrate()
        print(applied.isEmpty ? "schema is current" : "applied migrations \(applied.map(String.init).joined(separator: ", "))")
    }
}

struct Config: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect the configuration.", subcommands: [Check.self, Keys.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate the configuration and print the effective values.")
        @OptionGroup var options: NodeOptions

        func run() async throws {
            let configuration = try options.load()
            for warning in configuration.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
            print(configuration.effective.serialized())
        }
    }

    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every configuration key, its variable and default.")

        func run() async throws {
            for key in ConfigurationKey.all {
                print("\(key.path)\t\(key.environmentName)\t\(key.defaultValue.serialized())\t\(key.summary)")
            }
        }
    }
}

#if os(Linux)
    /// glibc's `mallopt` (not exported by Swift's Glibc module) and its `M_ARENA_MAX` parameter.
    @_silgen_name("mallopt")
    func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
    let glibcMArenaMax: Int32 = -8
#endif
