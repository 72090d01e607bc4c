import Foundation
import Hummingbird
import ODCSAPI
import ODCSAuth
import ODCSCore
import ODCSStore
import PostgresNIO
import Prometheus

/// The API of one node over a fresh test schema, for `app.test(.router)`.
public struct TestAPI: Sendable {
    public let store: ComposeStore
    public let configuration: APIConfiguration

    public init(store: ComposeStore, configuration: APIConfiguration = TestAPI.configuration()) {
        self.store = store
        self.configuration = configuration
    }

    /// `authenticator` and `access` default to noauth; `proxy` makes the router strip the
    /// proxy's identity headers from untrusted peers, as a node with a proxy backend does.
    public static func configuration(
        policy: RequestPolicy = RequestPolicy(defaultTargetDir: "/srv/odcs", extraTargetDirs: ["releng-private": "/srv/private"]),
        rawConfigURLs: JSONValue = [:], authBackend: String = "noauth", authenticator: any Authenticator = NoAuthenticator(),
        proxy: ProxyAuthenticator? = nil, access: AccessPolicy? = nil
    ) -> APIConfiguration {
        APIConfiguration(
            renderer: ComposeJSONRenderer(
                targetDirURL: "http://localhost/odcs", defaultTargetDir: policy.defaultTargetDir,
                extraTargetDirs: policy.extraTargetDirs),
            policy: policy, authBackend: authBackend, authenticator: authenticator, proxy: proxy,
            access: access ?? AccessPolicy(defaultTargetDir: policy.defaultTargetDir, extraTargetDirs: policy.extraTargetDirs),
            rawConfigURLs: rawConfigURLs)
    }

    public static func with<R: Sendable>(
        configuration: APIConfiguration = TestAPI.configuration(), _ body: @Sendable (TestAPI) async throws -> R
    ) async throws -> R {
        try await TestDatabase.withSchema { client, _ in
            let store = ComposeStore(client: client, logger: TestDatabase.logger)
            return try await body(TestAPI(store: store, configuration: configuration))
        }
    }

    /// A router over this schema (routers are not Sendable, so each test builds its own).
    public func makeRouter() -> Router<ODCSRequestContext> {
        let store = store
        let migrator = Migrator(client: store.client, logger: TestDatabase.logger)
        return ODCSRouter.make(
            store: store, configuration: configuration, metrics: MetricsExporter(registry: PrometheusCollectorRegistry()),
            readiness: {
                try await store.ping()
                _ = try await migrator.currentVersion()
            })
    }

    /// The number of composes in the schema, to prove that a refused request changed nothing.
    public func composeCount() async throws -> Int {
        try await store.list(ComposeListQuery()).total
    }
}
