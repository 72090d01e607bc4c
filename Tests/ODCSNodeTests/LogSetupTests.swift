import Logging
import Synchronization
import Testing

@testable import ODCSNode

/// The plain log format is `StreamLogHandler`'s, whatever metadata a logger was given and
/// when: the lazy handler only defers the rendering of its metadata to the line it writes.
@Suite struct LogSetupTests {
    final class Lines: TextOutputStream, Sendable {
        let lines = Mutex<[String]>([])
        func write(_ string: String) { lines.withLock { $0.append(string) } }
    }

    /// The same line through a bare `StreamLogHandler` and through the lazy handler around one.
    func lines(_ use: (inout Logger) -> Void) -> (plain: String, lazy: String) {
        let plain = Lines()
        let lazy = Lines()
        var plainLogger = Logger(label: "odcs-test") { StreamLogHandler(label: $0, stream: plain, metadataProvider: nil) }
        var lazyLogger = Logger(label: "odcs-test") {
            LazyMetadataLogHandler(StreamLogHandler(label: $0, stream: lazy, metadataProvider: nil))
        }
        use(&plainLogger)
        use(&lazyLogger)
        // The timestamp (to the second) may differ between the two; the rest may not.
        func withoutTime(_ lines: [String]) -> String { lines.map { String($0.drop { $0 != " " }) }.joined() }
        return (withoutTime(plain.lines.withLock { $0 }), withoutTime(lazy.lines.withLock { $0 }))
    }

    @Test func metadataSetOnTheLoggerIsWrittenAsByTheStreamHandler() {
        let (plain, lazy) = lines { logger in
            logger[metadataKey: "hb.request.id"] = "1a2b"
            logger[metadataKey: "compose_id"] = "7"
            logger.warning("rescued", metadata: ["now": "wait"])
            logger[metadataKey: "compose_id"] = nil
            logger.info("no explicit metadata")
        }
        #expect(lazy == plain)
        #expect(plain.contains("compose_id=7 hb.request.id=1a2b now=wait [ODCSNodeTests] rescued"), "\(plain)")
        #expect(plain.contains("odcs-test: hb.request.id=1a2b [ODCSNodeTests] no explicit metadata"), "\(plain)")
    }

    @Test func theLevelIsTheInnerHandlers() {
        let (plain, lazy) = lines { logger in
            logger.logLevel = .error
            logger.warning("dropped")
            logger.error("kept")
        }
        #expect(lazy == plain)
        #expect(!lazy.contains("dropped") && lazy.contains("kept"))
    }
}
