import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Plain HTTP to a live node (a real `odcs` process), for tests that run the binary.
public enum LiveHTTP {
    /// Sends one request; returns the body and the status (0 when there is no HTTP answer).
    public static func request(
        _ method: String, _ url: String, body: String? = nil, timeout: TimeInterval? = nil
    ) async throws -> (Data, Int) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        if let timeout { request.timeoutInterval = timeout }
        let (data, response) = try await URLSession.shared.data(for: request)
        return (data, (response as? HTTPURLResponse)?.statusCode ?? 0)
    }
}
