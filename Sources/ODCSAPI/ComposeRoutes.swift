import Hummingbird
import Logging
import NIOCore
import ODCSAuth
import ODCSCore
import ODCSStore

/// `/api/1/composes/`: list, create, get, renew and delete (reference §1.4–1.8).
struct ComposeRoutes: Sendable {
    let store: ComposeStore
    let reader: ComposeReader
    let writer: ComposeWriter
    /// Concurrent requests for the same list page share one read and one rendering.
    let lists: ReadCoalescer<ComposeListQuery, ListAnswer>
    let configuration: APIConfiguration
    let access: AccessControl

    init(store: ComposeStore, configuration: APIConfiguration) {
        self.store = store
        let renderer = configuration.renderer
        self.reader = store.makeReader { renderer.render($0, full: true) }
        self.writer = store.makeWriter()
        self.lists = Self.makeListReader(store: store, configuration: configuration)
        self.configuration = configuration
        self.access = AccessControl(authenticator: configuration.authenticator, scopeNamespace: configuration.scopeNamespace)
    }

    func register(on router: Router<ODCSRequestContext>) {
        // Hummingbird matches with and without the trailing slash; upstream redirects the
        // slash-less form, which the Python client follows for GET only.
        router.get("/api/1/composes/") { request, context in try await list(request, context) }
        router.post("/api/1/composes/") { request, context in try await create(request, context) }
        router.get("/api/1/composes/:id") { request, context in try await get(request, context) }
        router.patch("/api/1/composes/:id") { request, context in try await renew(request, context) }
        router.delete("/api/1/composes/:id") { request, context in try await delete(request, context) }
    }

    func composeID(_ context: ODCSRequestContext) throws -> Int64 {
        // Upstream's route only matches digits; anything else is an unknown URL.
        guard let text = context.parameters.get("id"), text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber),
            let id = Int64(text)
        else { throw APIError.routeNotFound }
        return id
    }

    /// Upstream's pagination block: absolute URLs with `page` and `per_page` first, then the
    /// request's other arguments in order (except `_`-prefixed ones).
    func meta(query: ComposeListQuery, total: Int, items: [(name: String, value: String)], request: Request) -> JSONValue {
        let pages = query.pages(total: total)
        let others = items.filter { !["page", "per_page", "endpoint"].contains($0.name) && !$0.name.hasPrefix("_") }
        let base = RequestURL(request).absolute("/api/1/composes/")
        func url(_ page: Int) -> JSONValue {
            .string(base + "?" + QueryString.encode([("page", String(page)), ("per_page", String(query.perPage))] + others))
        }
        return [
            "first": url(1),
            "last": url(pages),
            "next": query.page < pages ? url(query.page + 1) : .null,
            "page": .int(query.page),
            "pages": .int(pages),
            "per_page": .int(query.perPage),
            "prev": query.page > 1 ? url(query.page - 1) : .null,
            "total": .int(total),
        ]
    }

    func get(_ request: Request, _ context: ODCSRequestContext) async throws -> Response {
        let id = try composeID(context)
        guard let body = try await reader.rendered(id: id) else { throw APIError.notFound("No such compose found.") }
        return JSONResponse.make(body, cors: true)
    }

    /// Upstream's order: login (401), scope (403), role (403), body (400), input limits (403).
    func create(_ request: Request, _ context: ODCSRequestContext) async throws -> Response {
        let caller = try await access.caller(request, context, scope: "new-compose")
        do { try configuration.access.requireAllowedClient(caller) } catch { throw APIError(error) }
        guard let body = try await RequestBody.json(request, limit: configuration.maxRequestBodyBytes) else {
            throw APIError.badRequest("Failed to decode JSON object: Expecting value (char 0)")
        }
        let parser = ComposeRequestParser(policy: configuration.policy)
        let newCompose: NewCompose
        do {
            newCompose = try parser.parse(body: body, owner: caller.owner)
            try configuration.access.requireInputAllowed(caller, ComposeAccessRequest(creating: newCompose))
        } catch { throw APIError(error) }
        let compose = try await writer.insert(newCompose)
        context.logger.info(
            "compose submitted",
            metadata: ["compose_id": "\(compose.id)", "source_type": "\(compose.sourceType.name)", "owner": "\(compose.owner)"])
        return JSONResponse.make(configuration.renderer.render(compose))
    }

    func renew(_ request: Request, _ context: ODCSRequestContext) async throws -> Response {
        let id = try composeID(context)
        let caller = try await access.caller(request, context, scope: "renew-compose")
        do { try configuration.access.requireAllowedClient(caller) } catch { throw APIError(error) }
        let body = try await RequestBody.json(request, limit: configuration.maxRequestBodyBytes)
        // Upstream checks the body's values before it looks for the compose: a bad body is a
        // 400 even when there is no such compose.
        if let body { do { try InputValidator.validate(body) } catch { throw APIError(error) } }
        guard let old = try await store.compose(id: id), ComposeState.renewable.contains(old.state) else {
            throw APIError.notFound("No compose with id \(id) found")
        }
        let plan: RenewPlan
        do {
            plan = try RenewRequestParser(policy: configuration.policy).plan(body: body, old: old, owner: caller.owner)
            let sigkeys: String?
            switch plan {
            case .copy(let copy): sigkeys = copy.sigkeys
            case .extend: sigkeys = old.sigkeys
            }
            try configuration.access.requireInputAllowed(caller, ComposeAccessRequest(renewing: old, sigkeys: sigkeys))
        } catch { throw APIError(error) }
        switch plan {
        case .copy(let newCompose):
            let compose = try await writer.insert(newCompose)
            context.logger.info(
                "compose renewed as a copy", metadata: ["compose_id": "\(compose.id)", "from": "\(id)", "owner": "\(compose.owner)"])
            return JSONResponse.make(configuration.renderer.render(compose))
        case .extend(let secondsToLive):
            let compose = try await store.extendExpiry(id: id, secondsToLive: secondsToLive)
            return JSONResponse.make(configuration.renderer.render(compose))
        }
    }

    /// A waiting compose is cancelled (by its owner or an admin); a done or failed one is
    /// expired now (admins only). With noauth everybody is an admin (upstream `has_role`).
    func delete(_ request: Request, _ context: ODCSRequestContext) async throws -> Response {
        let id = try composeID(context)
        let caller = try await access.caller(request, context, scope: "delete-compose")
        guard let compose = try await store.compose(id: id) else { throw APIError.notFound("No such compose found.") }
        let isAdmin = configuration.access.isAdmin(caller)
        let username = caller.username
        do {
            if compose.state == .wait {
                guard isAdmin || compose.owner == username else {
                    // Upstream's text, with its literal `%s` (docs/compatibility.md, 7).
                    throw APIError(.forbidden, "Compose (id=%s) can not be canceled, it's owned by someone else.")
                }
                _ = try await store.cancel(id: id, reason: "Canceled by \(username)")
                context.logger.info("compose canceled", metadata: ["compose_id": "\(id)", "user": "\(username)"])
                return accepted("Compose (id=\(id)) has been canceled")
            }
            guard isAdmin else { throw APIError(.forbidden, "User \(username) is not in role admins.") }
            guard ComposeState.removable.contains(compose.state) else {
                throw StoreError.stateConflict(id: id, current: compose.state.rawValue)
            }
            _ = try await store.expireNow(id: id, removedBy: username)
            context.logger.info("compose removal requested", metadata: ["compose_id": "\(id)", "user": "\(username)"])
            return accepted("The delete request for compose (id=\(id)) has been accepted and will be processed by backend later.")
        } catch StoreError.stateConflict {
            // Also reached when a worker claimed the compose between our read and our write.
            throw APIError.badRequest("Compose (id=\(id)) can not be removed, its state need to be in ['done', 'failed'].")
        }
    }

    func accepted(_ message: String) -> Response {
        JSONResponse.make((["message": .string(message), "status": 202] as JSONValue).serialized(), status: .accepted)
    }
}
