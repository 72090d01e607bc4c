import Foundation

/// A shell pattern matched the way Python's `fnmatch.fnmatch` does on Linux: case-sensitive, and `*`
/// crosses `/`. Pungi and python-multilib match package names and library directories this way.
struct Glob: Sendable, Hashable {
    let pattern: String

    init(_ pattern: String) { self.pattern = pattern }

    func matches(_ text: String) -> Bool { fnmatch(pattern, text, 0) == 0 }
}

extension Array where Element == Glob {
    func matchAny(_ text: String) -> Bool { contains { $0.matches(text) } }
}
