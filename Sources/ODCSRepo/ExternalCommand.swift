import ODCSVolume
import Subprocess
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Runs one program from an argv array (never through a shell), in a session and process group
/// of its own, with everything it prints appended to a log file.
///
///     let command = ExternalCommand(["createrepo_c", "--update", tree.string], log: logPath, timeout: .seconds(3600))
///     try await command.run()
///
/// The whole process group is killed, SIGTERM first and SIGKILL after `terminationGrace`, when
/// the timeout passes or the calling task is cancelled, so that grandchildren do not outlive
/// the compose that started them. Whatever is left in the group once the command has exited
/// (or been killed) gets SIGKILL too. The command runs at `GenerationPriority.nice`.
public struct ExternalCommand: Sendable {
    /// argv: the first element is a program name looked up in `PATH`, or a path.
    public var arguments: [String]
    /// Appended to, created if missing.
    public var log: FilePath
    public var timeout: Duration
    public var workingDirectory: FilePath?
    /// Added to (or replacing entries of) the inherited environment.
    public var environment: [String: String]
    /// How long the group has between SIGTERM and SIGKILL.
    public var terminationGrace: Duration

    public init(
        _ arguments: [String], log: FilePath, timeout: Duration, workingDirectory: FilePath? = nil,
        environment: [String: String] = [:], terminationGrace: Duration = .seconds(2)
    ) {
        precondition(!arguments.isEmpty, "an ExternalCommand needs at least a program name")
        self.arguments = arguments
        self.log = log
        self.timeout = timeout
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.terminationGrace = terminationGrace
    }

    /// Runs the command with stdout and stderr both appended to `log`. Throws
    /// `RepoError.commandFailed` for a non-zero exit, `.commandTimedOut` after the timeout and
    /// `CancellationError` when the calling task is cancelled.
    public func run() async throws {
        let logFile = try openLog()
        try await execute(output: .fileDescriptor(logFile, closeAfterSpawningProcess: true), error: .combinedWithOutput)
    }

    /// Runs the command with stdout written to `output` (replaced if it exists) and stderr
    /// appended to `log`: for programs whose output is data, such as `gzip -dc`.
    public func run(standardOutputTo output: FilePath) async throws {
        let logFile = try openLog()
        let outputFile: FileDescriptor
        do {
            outputFile = try FileDescriptor.open(
                output, .writeOnly, options: [.create, .truncate], permissions: [.ownerReadWrite, .groupRead, .otherRead])
        } catch {
            try? logFile.close()
            throw RepoError.commandNotStarted(arguments: arguments, reason: "cannot open \(output): \(error)")
        }
        try await execute(
            output: .fileDescriptor(outputFile, closeAfterSpawningProcess: true),
            error: .fileDescriptor(logFile, closeAfterSpawningProcess: true))
    }

    private func openLog() throws -> FileDescriptor {
        do {
            let file = try FileDescriptor.open(
                log, .writeOnly, options: [.create, .append], permissions: [.ownerReadWrite, .groupRead, .otherRead])
            _ = try? file.writeAll("$ \(RepoError.pythonList(arguments))\n".utf8)
            return file
        } catch {
            throw RepoError.commandNotStarted(arguments: arguments, reason: "cannot open log \(log): \(error)")
        }
    }

    private func execute<Output: OutputProtocol, Error: ErrorOutputProtocol>(output: Output, error: Error) async throws
    where Output.OutputType == Void, Error.OutputType == Void {
        var options = PlatformOptions()
        options.createSession = true
        // The implicit final SIGKILL inherits toProcessGroup from this step.
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: terminationGrace)]
        let configuration = Configuration(
            executable: arguments[0].contains("/") ? .path(FilePath(arguments[0])) : .name(arguments[0]),
            arguments: Arguments(Array(arguments.dropFirst())),
            environment: environment.isEmpty ? .inherit : .inherit.updating(environment.mapKeys()),
            workingDirectory: workingDirectory,
            platformOptions: options)
        let timeout = timeout
        let leader = ProcessGroupLeader()
        // After a normal exit, a timeout or a cancellation alike: whatever the command left
        // running in its group (say a grandchild that ignores SIGTERM) is killed.
        defer { leader.killGroup() }
        let status: TerminationStatus
        do {
            status = try await withThrowingTaskGroup(of: TerminationStatus?.self) { group in
                group.addTask {
                    let result = try await Subprocess.run(configuration, input: .none, output: output, error: error) { execution in
                        leader.record(execution.processIdentifier.value)
                        // Generation work: below the node's control plane (what the command
                        // starts from now on inherits it).
                        GenerationPriority.lowerProcessGroup(execution.processIdentifier.value)
                    }
                    return result.terminationStatus
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let status = first else {
                    throw RepoError.commandTimedOut(arguments: arguments, timeout: timeout, log: log)
                }
                return status
            }
        } catch let failure as SubprocessError {
            throw RepoError.commandNotStarted(arguments: arguments, reason: "\(failure)")
        }
        switch status {
        case .exited(0): return
        case .exited(let code): throw RepoError.commandFailed(arguments: arguments, status: code, log: log)
        case .signaled(let signal): throw RepoError.commandFailed(arguments: arguments, status: -signal, log: log)
        }
    }
}

/// The pid of a command started with `createSession`, which is also its process group id.
private final class ProcessGroupLeader: Sendable {
    private let pid = Mutex<pid_t>(0)

    func record(_ value: pid_t) {
        pid.withLock { $0 = value }
    }

    func killGroup() {
        let group = pid.withLock { $0 }
        if group > 0 { _ = kill(-group, SIGKILL) }
    }
}

extension Dictionary where Key == String, Value == String {
    fileprivate func mapKeys() -> [Environment.Key: String?] {
        var result: [Environment.Key: String?] = [:]
        for (key, value) in self { result[Environment.Key(stringLiteral: key)] = value }
        return result
    }
}
