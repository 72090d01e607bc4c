import Foundation
import Logging
import ODCSCore
import ODCSGenerator
import SystemPackage

/// A generator that does no compose work, for the multi-node tests and the scheduler
/// benchmark: it appends `start` and `end` lines for each run to a journal file shared by
/// all nodes (one `O_APPEND` write per line, so lines from different processes never mix),
/// optionally waits, and writes a marker file into the staging directory.
///
/// Journal line: `<event> <compose id> <attempt> <node> <CLOCK_REALTIME ns>`.
/// Never configured in production; see `test_generator.journal` in docs/configuration.md.
public struct JournalGenerator: ComposeGenerator {
    public var journal: FilePath
    public var node: String
    public var workDuration: Duration

    public init(journal: FilePath, node: String, workDuration: Duration = .zero) {
        self.journal = journal
        self.node = node
        self.workDuration = workDuration
    }

    public func generate(_ context: GenerationContext) async throws -> GenerationResult {
        try append("start", context)
        if workDuration > .zero { try await Task.sleep(for: workDuration) }
        try Task.checkCancellation()
        let marker = context.staging.appending("GENERATED_BY")
        try "\(node) attempt \(context.attempt)\n".write(toFile: marker.string, atomically: false, encoding: .utf8)
        try append("end", context)
        return GenerationResult(pungiComposeID: "\(context.name)-1-19700101.t.0")
    }

    func append(_ event: String, _ context: GenerationContext) throws {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let nanoseconds = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
        let line = "\(event) \(context.compose.id) \(context.attempt) \(node) \(nanoseconds)\n"
        let descriptor = try FileDescriptor.open(
            journal, .writeOnly, options: [.create, .append], permissions: [.ownerReadWrite, .groupRead, .otherRead])
        defer { try? descriptor.close() }
        _ = try descriptor.writeAll(Array(line.utf8))
    }
}
