import Foundation

extension TestCluster {
    /// The value of one sample of node `index`'s `/api/1/metrics/`, e.g.
    /// `odcs_event_streams_refused_total{reason="client"}`; nil when the node does not export it.
    public func metric(_ index: Int, _ sample: String) async throws -> Double? {
        let (data, status) = try await request("GET", base(index) + "/api/1/metrics/")
        guard status == 200 else { throw ClusterError("metrics answered \(status)") }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix(sample + " ") {
            return Double(line.dropFirst(sample.count + 1).split(separator: " ").first ?? "")
        }
        return nil
    }
}
