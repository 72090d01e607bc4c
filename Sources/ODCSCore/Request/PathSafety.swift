/// Values that end up in file names (labels in symlink names, compose types as directory
/// names) or in paths (repo sources) must not be able to climb out of their directory.
/// Upstream lets `/` and `..` through its character check; we do not.
public enum PathSafety {
    public static func requireNoTraversal(_ value: String, field: String) throws(RequestError) {
        let components = value.split(separator: "/", omittingEmptySubsequences: false)
        if components.contains("..") {
            throw RequestError("\(field) must not contain '..' path components: \(value)")
        }
    }

    public static func requireSafeName(_ value: String, field: String) throws(RequestError) {
        if value.contains("/") || value == "." || value == ".." || value.hasPrefix(".") {
            throw RequestError("\(field) must not contain '/' or start with '.': \(value)")
        }
    }
}
