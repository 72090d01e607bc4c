/// `GET /api/1/composes/` query parameters (reference §1.4): exact-match filters, `order_by`,
/// and upstream's forgiving pagination.
public struct ComposeListQuery: Sendable, Hashable {
    public enum Filter: Sendable, Hashable {
        case owner(String)
        case sourceType(Int)
        case source(String)
        case state(Int)
        case kojiTaskID(Int64)
        case pungiComposeID(String)
        case composeType(String)
        case label(String)
    }

    public enum OrderKey: String, Sendable, CaseIterable {
        case id, owner
        case sourceType = "source_type"
        case kojiEvent = "koji_event"
        case state
        case timeToExpire = "time_to_expire"
        case timeSubmitted = "time_submitted"
        case timeDone = "time_done"
        case timeRemoved = "time_removed"
    }

    public var filters: [Filter] = []
    public var orderBy: OrderKey = .id
    public var descending = true
    public var page = 1
    public var perPage = 10

    public static let maximumPerPage = 1000

    public init() {}

    /// `items`: the query items in request order (names and values already percent-decoded).
    public init(items: [(name: String, value: String)]) throws(RequestError) {
        for name in ["owner", "source_type", "source", "state", "koji_task_id", "pungi_compose_id", "compose_type", "label"] {
            guard let value = items.first(where: { $0.name == name })?.value, !value.isEmpty else { continue }
            switch name {
            case "owner": filters.append(.owner(value))
            case "source": filters.append(.source(value))
            case "pungi_compose_id": filters.append(.pungiComposeID(value))
            case "compose_type": filters.append(.composeType(value))
            case "label": filters.append(.label(value))
            case "source_type":
                guard let number = Int(value) else {
                    let hint = SourceType.allCases.map { "\($0.name)=\($0.rawValue)" }.joined(separator: ", ")
                    throw RequestError("source_type must be the number of a source type (\(hint)), got \"\(value)\"")
                }
                filters.append(.sourceType(number))
            case "state":
                guard let number = Int(value) else {
                    let hint = ComposeState.allCases.map { "\($0.name)=\($0.rawValue)" }.joined(separator: ", ")
                    throw RequestError("state must be the number of a state (\(hint)), got \"\(value)\"")
                }
                filters.append(.state(number))
            default:
                guard let number = Int64(value) else { throw RequestError("koji_task_id must be an integer, got \"\(value)\"") }
                filters.append(.kojiTaskID(number))
            }
        }
        // An empty `order_by=` is no key at all to upstream, and so an invalid one.
        if let order = items.first(where: { $0.name == "order_by" })?.value {
            var key = order
            descending = false
            if key.count > 1, key.hasPrefix("-") {
                key.removeFirst()
                descending = true
            }
            // Upstream's list spells it `source_Type` (a typo that makes both spellings fail); we accept both.
            if key == "source_Type" { key = "source_type" }
            guard let orderKey = OrderKey(rawValue: key) else {
                let allowed = OrderKey.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
                throw RequestError("An invalid order_by key was suplied, allowed keys are: [\(allowed)]")
            }
            orderBy = orderKey
        }
        if let value = items.first(where: { $0.name == "page" })?.value, let number = Int(value) {
            // Bounded so that the offset cannot overflow; such a page is empty anyway.
            page = min(max(number, 1), 1_000_000_000)
        }
        if let value = items.first(where: { $0.name == "per_page" })?.value, let number = Int(value) {
            perPage = number < 0 ? 20 : min(number, ComposeListQuery.maximumPerPage)
        }
    }

    public var offset: Int { (page - 1) * perPage }

    public func pages(total: Int) -> Int {
        guard perPage > 0, total > 0 else { return 0 }
        return (total + perPage - 1) / perPage
    }
}
