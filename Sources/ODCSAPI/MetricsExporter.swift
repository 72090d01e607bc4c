import ODCSCore
import ODCSStore
import Prometheus

/// `/api/1/metrics/`: upstream's compose gauges (reference §12), computed from the database
/// at scrape time, followed by this node's own metrics from the Prometheus registry.
public struct MetricsExporter: Sendable {
    public let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    public func export(store: ComposeStore) async throws -> String {
        var out = ""
        let counts = try await store.countsBySourceTypeAndState()
        out += "# HELP composes_total Total number of composes\n# TYPE composes_total gauge\n"
        for sourceType in SourceType.allCases {
            for state in ComposeState.allCases {
                let count = counts.first { $0.sourceType == sourceType.rawValue && $0.state == state.rawValue }?.count ?? 0
                out += "composes_total{source_type=\"\(sourceType.name)\",state=\"\(state.name)\"} \(count).0\n"
            }
        }

        let rawConfig = try await store.rawConfigCounts()
        // Upstream groups sources with fewer than 5 composes under `<name>#other_commits_or_branches`.
        var perSource: [String: Int] = [:]
        for entry in rawConfig { perSource[entry.source, default: 0] += entry.count }
        var grouped: [String: Int] = [:]
        for (source, count) in perSource {
            let name = source.split(separator: "#").first.map(String.init) ?? source
            grouped[count < 5 ? "\(name)#other_commits_or_branches" : source, default: 0] += count
        }
        out += "# HELP raw_config_composes_count_total Total number of raw_config composes per source\n"
        out += "# TYPE raw_config_composes_count_total counter\n"
        for (source, count) in grouped.sorted(by: { $0.key < $1.key }) {
            out += "raw_config_composes_count_total{source=\"\(escape(source))\"} \(count).0\n"
        }
        out += "# HELP raw_config_composes Number of raw_config composes per source and state\n"
        out += "# TYPE raw_config_composes gauge\n"
        for source in Set(rawConfig.map(\.source)).sorted() {
            for state in ComposeState.allCases where state != .removed {
                let count = rawConfig.first { $0.source == source && $0.state == state.rawValue }?.count ?? 0
                out += "raw_config_composes{source=\"\(escape(source))\",state=\"\(state.name)\"} \(count).0\n"
            }
        }

        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        out += String(decoding: buffer, as: UTF8.self)
        return out
    }

    func escape(_ label: String) -> String {
        var out = ""
        for character in label {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
