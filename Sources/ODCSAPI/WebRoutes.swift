import Hummingbird
import ODCSCore
import ODCSStore

/// The web view for people: `/` lists the composes (filters and paging as query
/// parameters), `/ui/composes/<id>` shows one compose with its links and log files, and
/// `/ui/nodes` the cluster's nodes and duty leaders. Server-rendered HTML that works
/// without JavaScript and reloads itself; read-only, so it needs no login, like the GET API.
struct WebRoutes: Sendable {
    let store: ComposeStore
    let configuration: APIConfiguration

    /// Reload intervals: the list, a compose still in the queue or generating, a finished one.
    static let listRefreshSeconds = 10
    static let activeRefreshSeconds = 5
    static let finishedRefreshSeconds = 60
    static let defaultPerPage = 20
    static let perPageChoices = [10, 20, 50, 100, 200]

    func register(on router: Router<ODCSRequestContext>) {
        router.get("/") { request, _ in try await list(request) }
        router.get("/ui/composes/:id") { _, context in try await detail(context) }
        router.get("/ui/nodes") { _, _ in try await nodes() }
    }

    func makePage(title: String, refreshSeconds: Int? = nil) -> HTMLPage {
        HTMLPage(title: title, refreshSeconds: refreshSeconds, servesFiles: configuration.servedTargetDir != nil)
    }

    func errorPage(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var page = makePage(title: status.reasonPhrase)
        page.raw("<p role=\"alert\">")
        page.text(message)
        page.raw("</p><p><a href=\"/\">All composes</a></p>\n")
        return page.response(status: status)
    }

    /// The filters of the list as the form sends them. State and source type may be given by
    /// name (the form does) or by number (as the JSON API takes them).
    struct ListFilters {
        var state = ""
        var owner = ""
        var sourceType = ""
        var page = 1
        var perPage = WebRoutes.defaultPerPage

        init(items: [(name: String, value: String)]) {
            func value(_ name: String) -> String { items.first { $0.name == name }?.value ?? "" }
            state = value("state")
            owner = value("owner")
            sourceType = value("source_type")
            page = Int(value("page")).map { max($0, 1) } ?? 1
            perPage = Int(value("per_page")).map { min(max($0, 1), WebRoutes.perPageChoices.last!) } ?? WebRoutes.defaultPerPage
        }

        /// The JSON API's query items for the same selection.
        func queryItems() -> [(name: String, value: String)] {
            var items: [(name: String, value: String)] = []
            if !state.isEmpty { items.append(("state", ComposeState(name: state).map { String($0.rawValue) } ?? state)) }
            if !owner.isEmpty { items.append(("owner", owner)) }
            if !sourceType.isEmpty {
                items.append(("source_type", SourceType(name: sourceType).map { String($0.rawValue) } ?? sourceType))
            }
            items.append(("page", String(page)))
            items.append(("per_page", String(perPage)))
            return items
        }

        /// This page's URL with another page number.
        func url(page: Int) -> String {
            var items: [(name: String, value: String)] = []
            if !state.isEmpty { items.append(("state", state)) }
            if !owner.isEmpty { items.append(("owner", owner)) }
            if !sourceType.isEmpty { items.append(("source_type", sourceType)) }
            items.append(("page", String(page)))
            items.append(("per_page", String(perPage)))
            return "/?" + QueryString.encode(items)
        }
    }

    func list(_ request: Request) async throws -> Response {
        let filters = ListFilters(items: QueryString.items(request.uri.query))
        let query: ComposeListQuery
        do { query = try ComposeListQuery(items: filters.queryItems()) } catch { return errorPage(.badRequest, error.message) }
        // Summaries, not whole rows: a page of 200 composes with a megabyte of packages each
        // would otherwise be read into memory to show a few short columns.
        let result = try await store.listSummaries(query, width: Self.cellWidth)

        var page = makePage(title: "Composes", refreshSeconds: Self.listRefreshSeconds)
        filterForm(filters, into: &page)
        let pages = query.pages(total: result.total)
        page.raw("<p>\(result.total) compose\(result.total == 1 ? "" : "s")")
        if pages > 0 { page.raw(", page \(query.page) of \(pages)") }
        page.raw(". <a href=\"")
        page.text("/api/1/composes/?" + QueryString.encode(filters.queryItems()))
        page.raw("\">As JSON</a></p>\n")
        if result.items.isEmpty {
            page.raw("<p>No composes match.</p>\n")
        } else {
            composeTable(result.items, into: &page)
        }
        pageLinks(filters, current: query.page, pages: pages, into: &page)
        return page.response()
    }

    func filterForm(_ filters: ListFilters, into page: inout HTMLPage) {
        func select(_ name: String, _ label: String, _ options: [String], _ selected: String, all: String = "any") {
            page.raw("<label>\(label) <select name=\"\(name)\">")
            page.raw("<option value=\"\"\(selected.isEmpty ? " selected" : "")>\(all)</option>")
            for option in options {
                page.raw("<option value=\"")
                page.text(option)
                page.raw("\"\(option == selected ? " selected" : "")>")
                page.text(option)
                page.raw("</option>")
            }
            page.raw("</select></label>\n")
        }
        page.raw("<form class=\"filters\" method=\"get\" action=\"/\" aria-label=\"Filter composes\">\n")
        select("state", "State", ComposeState.allCases.map(\.name), filters.state)
        page.raw("<label>Owner <input type=\"text\" name=\"owner\" value=\"")
        page.text(filters.owner)
        page.raw("\"></label>\n")
        select("source_type", "Source type", SourceType.allCases.map(\.name), filters.sourceType)
        page.raw("<label>Per page <select name=\"per_page\">")
        for choice in Self.perPageChoices {
            page.raw("<option\(choice == filters.perPage ? " selected" : "")>\(choice)</option>")
        }
        page.raw("</select></label>\n<button type=\"submit\">Filter</button> <a href=\"/\">Clear</a>\n</form>\n")
    }

    /// Characters of a source or a state reason the table shows; the compose's page has all.
    static let cellWidth = 200

    func composeTable(_ composes: [ComposeSummary], into page: inout HTMLPage) {
        page.raw("<table>\n<caption class=\"visually-hidden\">Composes, newest first</caption>\n<thead><tr>")
        for heading in ["ID", "State", "Owner", "Type", "Source", "Submitted", "Expires", "Reason"] {
            page.raw("<th scope=\"col\">\(heading)</th>")
        }
        page.raw("</tr></thead>\n<tbody>\n")
        for compose in composes {
            page.raw("<tr><td class=\"num\"><a href=\"/ui/composes/\(compose.id)\">\(compose.id)</a></td>")
            page.raw("<td class=\"state-\(compose.state.name)\">\(compose.state.name)</td><td>")
            page.text(compose.owner)
            page.raw("</td><td>\(compose.sourceType.name)</td><td class=\"wrap\">")
            page.text(compose.source + (compose.sourceIsCut ? "…" : ""))
            page.raw("</td><td>\(ComposeTime.format(compose.timeSubmitted))</td><td>\(ComposeTime.format(compose.timeToExpire))</td><td>")
            page.text((compose.stateReason ?? "") + (compose.stateReasonIsCut ? "…" : ""))
            page.raw("</td></tr>\n")
        }
        page.raw("</tbody>\n</table>\n")
    }

    func pageLinks(_ filters: ListFilters, current: Int, pages: Int, into page: inout HTMLPage) {
        guard pages > 1 else { return }
        page.raw("<nav class=\"pages\" aria-label=\"Pages\">")
        let targets = [("First", 1), ("Previous", current - 1), ("Next", current + 1), ("Last", pages)]
        for (label, number) in targets {
            if number >= 1, number <= pages, number != current {
                page.link(filters.url(page: number), label)
            } else {
                page.raw("<span>\(label)</span>")
            }
        }
        page.raw("</nav>\n")
    }

    func nodes() async throws -> Response {
        let registry = store.nodes
        let nodes = try await registry.all()
        let terms = try await store.leaderTerms()
        var page = makePage(title: "Nodes", refreshSeconds: Self.listRefreshSeconds)
        page.raw("<p><a href=\"/api/1/nodes/\">As JSON</a></p>\n<table>\n<caption>Nodes</caption>\n<thead><tr>")
        for heading in ["Node", "Host", "State", "Alive", "Workers", "Generating", "Version", "Started", "Last seen"] {
            page.raw("<th scope=\"col\">\(heading)</th>")
        }
        page.raw("</tr></thead>\n<tbody>\n")
        for node in nodes {
            let alive = node.state != "stopped" && node.secondsSinceSeen < ClusterRoutes.aliveSeconds
            let cells = [
                node.id, node.host, node.state, alive ? "yes" : "no", String(node.workers), String(node.generating), node.version,
                ComposeTime.format(node.startedAt), ComposeTime.format(node.seenAt),
            ]
            page.row(cells)
        }
        page.raw("</tbody>\n</table>\n<h2>Duty leaders</h2>\n")
        if terms.isEmpty {
            page.raw("<p>No duty has been held yet.</p>\n")
            return page.response()
        }
        page.raw("<table>\n<caption>Who holds which leader-only duty</caption>\n<thead><tr>")
        for heading in ["Duty", "Holder", "Term", "Elected", "Renewed"] { page.raw("<th scope=\"col\">\(heading)</th>") }
        page.raw("</tr></thead>\n<tbody>\n")
        for term in terms {
            let cells = [term.duty, term.holder, String(term.term), ComposeTime.format(term.electedAt), ComposeTime.format(term.renewedAt)]
            page.row(cells)
        }
        page.raw("</tbody>\n</table>\n")
        return page.response()
    }
}
