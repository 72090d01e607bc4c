/// One numbered schema change, embedded in the binary.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Every migration in order. Append only: a released migration never changes.
    public static let all: [Migration] = [
        .m0001Initial,
        .m0002Cluster,
        .m0003KojiTagCache,
        .m0004Outbox,
        .m0005OutboxClaim,
        .m0006ComposeCounts,
        .m0007PungiComposeIDs,
        .m0008SourcePrefixIndex,
        .m0009Volumes,
        .m0010ListOrderIndexes,
        .m0011StatementInsertTriggers,
        .m0012ComposeTypeCounts,
        .m0013SourcePrefixColumn,
    ]
}

extension Migration {
    /// The migration split into single statements at top-level semicolons (outside quotes,
    /// dollar-quoted bodies and comments).
    public var statements: [String] {
        var statements: [String] = []
        var current = ""
        var inQuote = false
        var inDollar = false
        var inComment = false
        var previous: Character = " "
        for character in sql {
            current.append(character)
            if inComment {
                if character == "\n" { inComment = false }
            } else if inQuote {
                if character == "'" { inQuote = false }
            } else if inDollar {
                if character == "$", previous == "$" { inDollar = false; previous = " "; continue }
            } else if character == "-", previous == "-" {
                inComment = true
            } else if character == "'" {
                inQuote = true
            } else if character == "$", previous == "$" {
                inDollar = true
                previous = " "
                continue
            } else if character == ";" {
                let statement = current.dropLast().trimmingCharacters()
                if !statement.isEmpty { statements.append(statement) }
                current = ""
            }
            previous = character
        }
        let tail = current.trimmingCharacters()
        if !tail.isEmpty { statements.append(tail) }
        return statements
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters() -> String {
        // Drop whitespace and whole-line comments around a statement.
        let lines = self.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.drop(while: { $0 == " " }).hasPrefix("--") }
        let joined = lines.joined(separator: "\n")
        return String(joined.drop(while: { $0.isWhitespace }).reversed().drop(while: { $0.isWhitespace }).reversed())
    }
}
