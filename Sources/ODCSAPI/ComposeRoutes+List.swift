import Hummingbird
import Logging
import NIOCore
import ODCSCore
import ODCSStore

/// `GET /api/1/composes/`, written while it is read (issue 14): a page of 1,000 composes
/// with a megabyte of packages each is a gigabyte of JSON, so the rows come from the store a
/// bounded chunk at a time (`ComposeStore.listPlan`) and each rendered chunk goes to the
/// client before the next is read. The bytes are exactly those of rendering the whole page
/// at once; only the framing changes (chunked instead of Content-Length) when the page is
/// larger than one chunk.
extension ComposeRoutes {
    /// Rendered JSON goes to the writer in pieces of about this many bytes.
    static let writeBytes = 64 << 10

    /// A list page as read for every request that asked for it in the same run: its total,
    /// and either its rendered items (`{"items":[` and the composes) or, for a page larger
    /// than one chunk, its chunks of ids, which each request reads and writes itself.
    struct ListAnswer: Sendable {
        var total: Int
        var items: String?
        var chunks: [[Int64]]
    }

    static func makeListReader(store: ComposeStore, configuration: APIConfiguration) -> ReadCoalescer<ComposeListQuery, ListAnswer> {
        let (renderer, chunking) = (configuration.renderer, configuration.listChunking)
        return ReadCoalescer { query in
            let plan = try await store.listPlan(query, chunking: chunking)
            guard let rows = plan.rows else { return ListAnswer(total: plan.total, items: nil, chunks: plan.chunks) }
            var writer = ListWriter(renderer: renderer)
            writer.append(rows)
            return ListAnswer(total: plan.total, items: writer.take(), chunks: [])
        }
    }

    func list(_ request: Request, _ context: ODCSRequestContext) async throws -> Response {
        let items = QueryString.items(request.uri.query)
        let query: ComposeListQuery
        do { query = try ComposeListQuery(items: items) } catch { throw APIError(error) }
        let answer = try await lists.value(query)
        let suffix = "],\"meta\":" + meta(query: query, total: answer.total, items: items, request: request).serialized() + "}"

        // The first chunk is read before the answer starts, so that a failing database still
        // gets the error body; a small page is then complete and keeps its Content-Length.
        if let page = answer.items { return JSONResponse.make(page + suffix, cors: true) }
        var writer = ListWriter(renderer: configuration.renderer)
        var rest = answer.chunks[...]
        if let first = rest.popFirst() { writer.append(try await store.listedComposes(ids: first)) }
        guard !rest.isEmpty else { return JSONResponse.make(writer.take() + suffix, cors: true) }

        let store = store
        let logger = context.logger
        // The status line is gone by then: a failing read cuts the chunked body, so that the
        // client sees an error, never a shorter list that looks complete. A client that goes
        // away makes the writes fail, which is no error of ours (Hummingbird logs it at trace).
        @Sendable func read(_ ids: [Int64]) async throws -> [Compose] {
            do { return try await store.listedComposes(ids: ids) } catch {
                logger.error("list chunk read failed after the answer started", metadata: ["error": "\(String(reflecting: error))"])
                throw error
            }
        }
        let body = ResponseBody { [writer, rest] output in
            var writer = writer
            try await output.write(ByteBuffer(string: writer.take()))
            for ids in rest {
                for compose in try await read(ids) {
                    writer.append(compose)
                    if writer.pending >= Self.writeBytes { try await output.write(ByteBuffer(string: writer.take())) }
                }
            }
            try await output.write(ByteBuffer(string: writer.take() + suffix))
            try await output.finish(nil)
        }
        return Response(status: .ok, headers: JSONResponse.headers(cors: true), body: body)
    }

    /// `{"items":[` and the composes, comma-separated, as text not yet written.
    struct ListWriter: Sendable {
        let renderer: ComposeJSONRenderer
        var text = "{\"items\":["
        var isFirst = true

        init(renderer: ComposeJSONRenderer) { self.renderer = renderer }

        var pending: Int { text.utf8.count }

        mutating func append(_ compose: Compose) {
            if !isFirst { text += "," }
            isFirst = false
            renderer.render(compose, into: &text)
        }

        mutating func append(_ composes: [Compose]) {
            for compose in composes { append(compose) }
        }

        /// The pending text, which is then empty.
        mutating func take() -> String {
            defer { text = "" }
            return text
        }
    }
}
