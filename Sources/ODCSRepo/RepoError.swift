import SystemPackage

/// A failure while reading, fetching or indexing RPM repositories. The description names the
/// repository, package or command, and the log to read, so that it can become a compose's
/// `state_reason` as it is.
public enum RepoError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A command ran and exited non-zero, or was killed by a signal (`status` is then negative).
    case commandFailed(arguments: [String], status: Int32, log: FilePath)
    /// A command ran past its timeout; its whole process group was killed.
    case commandTimedOut(arguments: [String], timeout: Duration, log: FilePath)
    /// A command could not be started at all (missing executable, bad working directory).
    case commandNotStarted(arguments: [String], reason: String)
    /// The repository at `location` could not be read or its metadata is not usable.
    case repository(location: String, reason: String)
    /// A package file could not be put in place.
    case package(file: String, reason: String)

    public var description: String {
        switch self {
        case .commandFailed(let arguments, let status, let log):
            "Command '\(Self.pythonList(arguments))' returned non-zero value \(status), log: \(log)"
        case .commandTimedOut(let arguments, let timeout, let log):
            "Command '\(Self.pythonList(arguments))' timed out after \(timeout.components.seconds) seconds, log: \(log)"
        case .commandNotStarted(let arguments, let reason):
            "Command '\(Self.pythonList(arguments))' could not be started: \(reason)"
        case .repository(let location, let reason):
            "Repository \(location): \(reason)"
        case .package(let file, let reason):
            "Package \(file): \(reason)"
        }
    }

    /// Upstream's messages print the argv as a Python list (`['createrepo_c', '/srv/x']`).
    public static func pythonList(_ arguments: [String]) -> String {
        let items = arguments.map { argument in
            // repr() switches to double quotes when that avoids escaping a single quote.
            let quote: Character = argument.contains("'") && !argument.contains("\"") ? "\"" : "'"
            var quoted = String(quote)
            for character in argument {
                switch character {
                case "\\": quoted += "\\\\"
                case quote: quoted += "\\" + String(quote)
                case "\n": quoted += "\\n"
                case "\t": quoted += "\\t"
                default: quoted.append(character)
                }
            }
            quoted.append(quote)
            return quoted
        }
        return "[" + items.joined(separator: ", ") + "]"
    }
}
