import Foundation
import Logging
import ODCSCore

/// Log output for the process: plain lines, or one JSON object per line for log collectors.
public enum LogSetup {
    public static func bootstrap(format: String, level: String) {
        let logLevel = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                format == "json"
                ? JSONLogHandler(label: label) : LazyMetadataLogHandler(StreamLogHandler.standardError(label: label))
            handler.logLevel = logLevel
            return handler
        }
    }
}

/// A handler whose metadata is handed to `inner` only when it logs. `StreamLogHandler` renders
/// its metadata into a string whenever it is set, and Hummingbird sets a request id on every
/// request's logger: that rendering was 2–3 % of a node's CPU per GET (issue 18), for lines
/// that are rarely written.
struct LazyMetadataLogHandler<Inner: LogHandler>: LogHandler {
    var inner: Inner
    var metadata: Logger.Metadata = [:]

    init(_ inner: Inner) {
        self.inner = inner
        self.metadata = inner.metadata
    }

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var handler = inner
        handler.metadata = metadata
        handler.log(event: event)
    }
}

/// `{"time","level","label","message",...metadata}` on standard error.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var object = JSONObject()
        object["time"] = .string(ISO8601DateFormatter().string(from: Date()))
        object["level"] = .string(event.level.rawValue)
        object["label"] = .string(label)
        object["message"] = .string(event.message.description)
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            object[key] = .string(value.description)
        }
        let line = JSONValue.object(object).serialized(sortKeys: false) + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
