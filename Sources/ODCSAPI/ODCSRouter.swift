import Hummingbird
import Logging
import ODCSStore

/// Builds the HTTP router of a node: the ODCS 0.9.2 API, the service endpoints, the web
/// view and (when configured) the target dir's files.
///
/// Usage: `Application(router: ODCSRouter.make(...), server: .guardedHTTP1(limits, logger:), configuration: ...)`. The
/// router never generates composes; it only reads and writes rows. `events` is the node's
/// `EventHub` (a service of its own); without one the router makes a hub that is not run,
/// whose streams stay quiet (for router tests).
public enum ODCSRouter {
    public static func make(
        store: ComposeStore, configuration: APIConfiguration, metrics: MetricsExporter, events: EventHub? = nil,
        readiness: @escaping @Sendable () async throws -> Void
    ) -> Router<ODCSRequestContext> {
        let router = Router(context: ODCSRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware())
        router.add(middleware: ErrorMiddleware())
        if let proxy = configuration.proxy { router.add(middleware: ProxyHeaderFilter(proxy: proxy)) }
        ComposeRoutes(store: store, configuration: configuration).register(on: router)
        ServiceRoutes(store: store, configuration: configuration, metrics: metrics, readiness: readiness)
            .register(on: router)
        ClusterRoutes(store: store).register(on: router)
        OpenAPIRoutes().register(on: router)
        let hub =
            events
            ?? EventHub(
                configuration: configuration.events, outbox: store.outbox,
                renderer: configuration.renderer, listen: nil, logger: store.logger)
        EventRoutes(hub: hub).register(on: router)
        WebRoutes(store: store, configuration: configuration).register(on: router)
        if let targetDir = configuration.servedTargetDir { TargetDirFiles(root: targetDir).register(on: router) }
        return router
    }
}
