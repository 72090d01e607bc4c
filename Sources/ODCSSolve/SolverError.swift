/// Why the solver could not load a repository's packages. Each case names the file, so the message
/// tells an operator which download or Koji path to check.
public enum SolverError: Error, CustomStringConvertible {
    /// An RPM file libsolv could not read as a package header (missing, truncated or not an RPM).
    case unreadableRPM(path: String, reason: String)
    /// A primary.xml or filelists.xml that could not be opened or parsed.
    case unreadableMetadata(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadableRPM(let path, let reason):
            "Cannot read the RPM header of \(path): \(reason). Check that the file is a complete RPM package."
        case .unreadableMetadata(let path, let reason):
            "Cannot read repository metadata \(path): \(reason). Check that it is an uncompressed or gzip "
                + "primary/filelists XML file from createrepo."
        }
    }
}
