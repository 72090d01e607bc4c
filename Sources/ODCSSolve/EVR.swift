/// An rpm `[epoch:]version[-release]` string split into its parts.
struct EVR: Equatable {
    var epoch: Int
    var version: String
    var release: String

    /// libsolv leaves the epoch out when it is zero, and splits release at the last `-`, as rpm does.
    init(parsing text: String) {
        var rest = Substring(text)
        epoch = 0
        if let colon = rest.firstIndex(of: ":"), let value = Int(rest[..<colon]) {
            epoch = value
            rest = rest[rest.index(after: colon)...]
        }
        if let dash = rest.lastIndex(of: "-") {
            version = String(rest[..<dash])
            release = String(rest[rest.index(after: dash)...])
        } else {
            version = String(rest)
            release = ""
        }
    }
}
