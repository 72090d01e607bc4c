import Foundation
import Logging
import Subprocess
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// The single-machine default: a private PostgreSQL cluster under the node's state directory,
/// reachable only through a unix socket, started with the node and stopped with it.
///
/// The data persists across restarts. A server orphaned by a killed node is stopped at the
/// next start (the node holds an exclusive lock on the state directory, so any server found
/// running on the data directory is stale). The server runs under `setpriv --pdeathsig`, so
/// it shuts down by itself if the node is killed.
public struct EmbeddedPostgres: Sendable {
    public struct Options: Sendable {
        public var stateDir: String
        public var binDir: String
        public var port: Int
        /// postgres refuses to run as root; as root it runs as this user.
        public var userWhenRoot = "postgres"
        public var superuser = "odcs"
        public var database = "odcs"
        public var readyTimeout: Duration = .seconds(60)

        public init(stateDir: String, binDir: String? = nil, port: Int = 54329) {
            self.stateDir = stateDir
            self.binDir = binDir ?? EmbeddedPostgres.newestBinDir() ?? "/usr/lib/postgresql/15/bin"
            self.port = port
        }
    }

    public let options: Options
    var dataDir: String { options.stateDir + "/postgres" }
    public var socketDir: String
    public var socketPath: String { "\(socketDir)/.s.PGSQL.\(options.port)" }
    var logFile: String { options.stateDir + "/postgres.log" }

    init(options: Options) {
        self.options = options
        // Unix socket paths are limited to 107 bytes; fall back to a short directory.
        let preferred = options.stateDir + "/run"
        if (preferred + "/.s.PGSQL.\(options.port)").utf8.count < 100 {
            socketDir = preferred
        } else {
            socketDir = "/tmp/odcs-pg-\(geteuid())-\(UInt32(truncatingIfNeeded: options.stateDir.hashValue))"
        }
    }

    public static func newestBinDir() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.compactMap(Int.init).sorted().reversed()
            .map { "\(root)/\($0)/bin" }
            .first { FileManager.default.isExecutableFile(atPath: $0 + "/postgres") }
    }

    /// Starts the server, runs `body` with the URL to connect with, then stops the server.
    public static func withServer<R: Sendable>(
        _ options: Options, logger: Logger, _ body: @Sendable (EmbeddedPostgres) async throws -> R
    ) async throws -> R {
        let server = EmbeddedPostgres(options: options)
        let lock = try StateDirectoryLock(directory: options.stateDir)
        defer { lock.release() }
        let owner = try server.owner()
        try server.prepareDirectories(owner: owner)
        try await server.initializeIfNeeded(owner: owner, logger: logger)
        try await server.stopStaleServer(owner: owner, logger: logger)
        return try await server.run(owner: owner, logger: logger, body)
    }

    /// (uid, gid) to run the server as, or nil to run as ourselves.
    func owner() throws -> (uid: uid_t, gid: gid_t)? {
        guard geteuid() == 0 else { return nil }
        guard let entry = getpwnam(options.userWhenRoot) else {
            throw EmbeddedPostgresError("user \(options.userWhenRoot) does not exist; PostgreSQL cannot run as root")
        }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    func prepareDirectories(owner: (uid: uid_t, gid: gid_t)?) throws {
        let manager = FileManager.default
        for directory in [dataDir, socketDir] {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            if let owner, chown(directory, owner.uid, owner.gid) != 0 {
                throw EmbeddedPostgresError("cannot hand \(directory) to \(options.userWhenRoot): errno \(errno)")
            }
        }
        chmod(dataDir, 0o700)
        // Root may connect through a 0700 directory; other local users may not.
        chmod(socketDir, 0o700)
    }

    /// Runs a PostgreSQL tool as the server's owner. Privileges are dropped by `setpriv` after
    /// exec, never in a forked copy of this multi-threaded process (a fork that changes ids
    /// before exec can deadlock on a lock another thread held).
    /// With `followParent`, the tool also gets SIGINT (PostgreSQL's fast shutdown) when the
    /// node dies (`PR_SET_PDEATHSIG`).
    func command(_ tool: String, owner: (uid: uid_t, gid: gid_t)?, followParent: Bool = false, _ arguments: [String])
        -> (Executable, Arguments)
    {
        var options: [String] = []
        if let owner { options += ["--reuid=\(owner.uid)", "--regid=\(owner.gid)", "--clear-groups"] }
        if followParent { options += ["--pdeathsig", "INT"] }
        let path = self.options.binDir + "/" + tool
        guard !options.isEmpty else { return (.path(FilePath(path)), Arguments(arguments)) }
        return (.path("/usr/bin/setpriv"), Arguments(options + ["--", path] + arguments))
    }

    func initializeIfNeeded(owner: (uid: uid_t, gid: gid_t)?, logger: Logger) async throws {
        guard !FileManager.default.fileExists(atPath: dataDir + "/PG_VERSION") else { return }
        logger.info("initialising embedded PostgreSQL", metadata: ["data_dir": "\(dataDir)"])
        let (executable, arguments) = command(
            "initdb", owner: owner,
            ["-D", dataDir, "-U", options.superuser, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"])
        let result = try await Subprocess.run(
            executable, arguments: arguments, environment: .inherit.updating(["LC_ALL": "C.UTF-8"]),
            workingDirectory: "/", output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        guard result.terminationStatus.isSuccess else {
            throw EmbeddedPostgresError("initdb failed (\(result.terminationStatus)): \(result.standardError)")
        }
    }

    /// A postmaster left running by a killed node: stop it before starting ours.
    func stopStaleServer(owner: (uid: uid_t, gid: gid_t)?, logger: Logger) async throws {
        let pidFile = dataDir + "/postmaster.pid"
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
            let pid = text.split(separator: "\n").first.flatMap({ Int32($0.trimmingCharacters(in: .whitespaces)) }),
            kill(pid, 0) == 0, ProcessStatus.isRunning(pid)
        else { return }
        logger.warning("stopping a stale embedded PostgreSQL from an earlier run", metadata: ["pid": "\(pid)"])
        let (executable, arguments) = command("pg_ctl", owner: owner, ["-D", dataDir, "-m", "fast", "-w", "-t", "30", "stop"])
        _ = try await Subprocess.run(
            executable, arguments: arguments, workingDirectory: "/", output: .discarded, error: .discarded)
    }

    func run<R: Sendable>(
        owner: (uid: uid_t, gid: gid_t)?, logger: Logger, _ body: @Sendable (EmbeddedPostgres) async throws -> R
    ) async throws -> R {
        let log = try FileDescriptor.open(
            FilePath(logFile), .writeOnly, options: [.create, .append], permissions: [.ownerReadWrite, .groupRead])
        if let owner { fchown(log.rawValue, owner.uid, owner.gid) }
        var platform = PlatformOptions()
        // SIGINT is PostgreSQL's fast shutdown (SIGTERM waits for clients to leave).
        platform.teardownSequence = [.send(signal: .interrupt, allowedDurationToNextStep: .seconds(20))]
        // Our own session: a terminal's Ctrl-C reaches only the node, which then stops in order.
        platform.createSession = true
        // setpriv drops privileges and sets PR_SET_PDEATHSIG, then execs postgres.
        let (executable, arguments) = command(
            "postgres", owner: owner, followParent: true,
            [
                "-D", dataDir, "-k", socketDir, "-p", String(options.port), "-c", "listen_addresses=",
                "-c", "synchronous_commit=off", "-c", "unix_socket_permissions=0700", "-c", "max_connections=200",
            ])
        let server = self
        let result = try await Subprocess.run(
            executable, arguments: arguments, workingDirectory: "/",
            platformOptions: platform, input: .none,
            output: .fileDescriptor(log, closeAfterSpawningProcess: true), error: .combinedWithOutput
        ) { execution in
            do {
                try await server.waitUntilReady()
                logger.info(
                    "embedded PostgreSQL ready", metadata: ["socket": "\(server.socketPath)", "pid": "\(execution.processIdentifier)"])
                try await server.createDatabaseIfNeeded()
                let value = try await body(server)
                try? execution.send(signal: .interrupt)
                return value
            } catch {
                try? execution.send(signal: .interrupt)
                throw error
            }
        }
        logger.info("embedded PostgreSQL stopped", metadata: ["status": "\(result.terminationStatus)"])
        return result.closureResult
    }

    func waitUntilReady() async throws {
        let deadline = ContinuousClock.now + options.readyTimeout
        while ContinuousClock.now < deadline {
            if FileManager.default.fileExists(atPath: socketPath) {
                let probe = try await Subprocess.run(
                    .path(FilePath(options.binDir + "/pg_isready")),
                    arguments: ["-q", "-h", socketDir, "-p", String(options.port), "-U", options.superuser, "-d", "postgres"],
                    output: .discarded, error: .discarded)
                if probe.terminationStatus.isSuccess { return }
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        let tail = ((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "").suffix(2000)
        throw EmbeddedPostgresError("embedded PostgreSQL not ready after \(options.readyTimeout); log:\n\(tail)")
    }

    func createDatabaseIfNeeded() async throws {
        let psql = options.binDir + "/psql"
        let common = ["-h", socketDir, "-p", String(options.port), "-U", options.superuser, "-d", "postgres", "-XAtq"]
        let exists = try await Subprocess.run(
            .path(FilePath(psql)),
            arguments: Arguments(common + ["-c", "SELECT 1 FROM pg_database WHERE datname = 'odcs'"]),
            output: .string(limit: 4096), error: .string(limit: 1 << 16))
        guard exists.terminationStatus.isSuccess else {
            throw EmbeddedPostgresError("cannot query the embedded PostgreSQL: \(exists.standardError)")
        }
        guard exists.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) != "1" else { return }
        let created = try await Subprocess.run(
            .path(FilePath(psql)), arguments: Arguments(common + ["-c", "CREATE DATABASE odcs"]),
            output: .discarded, error: .string(limit: 1 << 16))
        guard created.terminationStatus.isSuccess else {
            throw EmbeddedPostgresError("cannot create the odcs database: \(created.standardError)")
        }
    }

    /// How to connect: the superuser over the socket, no password.
    public var url: DatabaseURL {
        DatabaseURL(endpoint: .unixSocket(path: socketPath), username: options.superuser, database: options.database)
    }
}

public struct EmbeddedPostgresError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
