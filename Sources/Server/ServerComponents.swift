import Analysis
import AsyncHTTPClient
import Foundation
import LLMTraceModel
import Logging

/// What `llmtrace serve` opens before it serves: the price table, the store, the event hub, the capture
/// pipeline, retention and the upstream client, and the proxy and the API built on them.
struct ServerComponents: Sendable {
    let prices: PriceTable
    let store: any TraceStore
    let events: EventHub
    let pipeline: CapturePipeline
    let retention: Retention
    /// Other nodes' records into this node's events, when the store is shared.
    let cluster: ClusterFeed?
    let client: HTTPClient
    /// The upstream client that opens a new connection for every request (the proxy's second try).
    let freshClient: HTTPClient
    let proxy: ProxyHandler
    let api: APIController
    /// Shared mode's admin API (and its store), `nil` in standalone mode.
    let admin: AdminController?
    /// Shared mode's budget alerts, `nil` in standalone mode.
    let budgets: BudgetWatch?
    /// The forward proxy (CONNECT on the same port), `nil` in shared mode.
    let forward: ForwardProxy?
    /// `/metrics`, fed by the pipeline.
    let metrics: MetricsEndpoint
    /// The OpenTelemetry export (`--otlp-endpoint`), `nil` when off.
    let telemetry: OTLPExporter?

    /// Opens everything the configuration names. Everything that can refuse to start (prices, store)
    /// is opened before the upstream client, which needs shutting down.
    static func open(_ c: ServerConfiguration, logger: Logger) async throws -> ServerComponents {
        let prices = try LLMTraceServer.loadPrices(c)
        if let problem = prices.loadError { logger.warning("pricing: \(problem)") }
        let exchangeMetrics = ExchangeMetrics(prices: prices)
        let telemetry = try c.otlpEndpoint.map { endpoint in
            try OTLPExporter(endpoint: endpoint, content: c.otlpContent, prices: prices, logger: logger)
        }
        let auth = c.isShared ? try await openShared(c, logger: logger) : nil
        let store: any TraceStore
        do {
            store = try await LLMTraceServer.openStore(c, logger: logger)
        } catch {
            try? await auth?.store.close()
            throw error
        }
        let events = EventHub(firstEventID: EventHub.randomFirstEventID(), logger: logger) { try? await store.stats(filter: RequestFilter()) }
        let cluster = (store as? any SharedStore).map { ClusterFeed(store: $0, events: events, logger: logger) }
        let observers: [any ExchangeObserver] = [exchangeMetrics] + (telemetry.map { [$0] } ?? [])
        let pipeline = CapturePipeline(store: store, events: events, observers: observers, logger: logger)
        let retention = Retention(
            store: store,
            retainSeconds: c.retainSeconds,
            maxRecords: c.maxRecords,
            interval: .milliseconds(Int64(c.pruneIntervalSeconds * 1000)),
            logger: logger
        )
        let client = makeClient(c)
        let freshClient = makeClient(c, newConnectionEachTime: true)
        var proxy = ProxyHandler(
            client: client,
            freshClient: freshClient,
            pipeline: pipeline,
            prices: prices,
            ids: RecordIDGenerator(),
            maxBody: c.maxBodyBytes,
            headTimeout: .milliseconds(Int64(c.upstreamIdleTimeoutSeconds * 1000)),
            logger: logger,
            upstreams: upstreamGate(c)
        )
        proxy.gate = auth.map { EnvironmentGate(store: $0.store) }
        let forward = c.isShared ? nil : ForwardProxy(settings: c.forwardProxy, password: c.listensPublicly ? c.password : nil)
        var api = APIController(
            store: store,
            pipeline: pipeline,
            events: events,
            prices: prices,
            retention: retention,
            cluster: cluster,
            startedAt: Date()
        )
        api.auth = auth
        api.forward = forward
        let budgets = auth.map {
            BudgetWatch(
                admin: $0.store,
                store: store,
                events: events,
                webhooks: WebhookSender(client: client, logger: logger),
                interval: .milliseconds(Int64(c.alertIntervalSeconds * 1000)),
                logger: logger
            )
        }
        return ServerComponents(
            prices: prices,
            store: store,
            events: events,
            pipeline: pipeline,
            retention: retention,
            cluster: cluster,
            client: client,
            freshClient: freshClient,
            proxy: proxy,
            api: api,
            admin: auth.map { AdminController(auth: $0, budgets: budgets) },
            budgets: budgets,
            forward: forward,
            metrics: MetricsEndpoint(metrics: exchangeMetrics, pipeline: pipeline, events: events, publicOnLoopback: c.metricsPublic),
            telemetry: telemetry
        )
    }

    /// Shared mode: the admin store (migrated), the first administrator from the environment when
    /// asked and none exists, and the run-time auth with its JWT secret.
    static func openShared(_ c: ServerConfiguration, logger: Logger) async throws -> SharedAuth {
        var url = try DatabaseURL(c.adminDatabaseURL)
        if let pool = c.databasePoolSize { url.poolSize = pool }
        let store = try await SQLAdminStore.connect(url, logger: logger)
        do {
            if let email = c.bootstrapEmail, let password = c.bootstrapPassword {
                if try await store.hasSystemAdmin() {
                    logger.notice("LLMTRACE_BOOTSTRAP_EMAIL is ignored: a system administrator exists already")
                } else {
                    let user = try await AdminBootstrap.bootstrap(store: store, email: email, password: password, bcryptCost: c.bcryptCost)
                    logger.notice("created the first system administrator, \(user.email)")
                }
            } else if try await !store.hasSystemAdmin() {
                logger.warning(
                    "shared mode has no system administrator yet: run `llmtrace admin bootstrap --email … --password-stdin --db …`, or start with LLMTRACE_BOOTSTRAP_EMAIL and LLMTRACE_BOOTSTRAP_PASSWORD"
                )
            }
            return try await SharedAuth.open(
                store: store,
                secret: c.jwtSecret,
                bcryptCost: c.bcryptCost,
                accessTokenLifetime: c.accessTokenLifetime
            )
        } catch {
            try? await store.close()
            throw error
        }
    }

    /// The upstream policy and the resolver it decides on. `LLMTRACE_TEST_HOSTS` (`name=address,…`) is
    /// for tests: names resolve from it alone and only loopback addresses are connected to.
    static func upstreamGate(_ c: ServerConfiguration) -> UpstreamGate {
        let policy = UpstreamPolicy(c)
        if let hosts = ProcessInfo.processInfo.environment["LLMTRACE_TEST_HOSTS"], let resolver = FixedResolver(hosts: hosts) {
            return UpstreamGate(policy: policy, resolver: resolver, loopbackOnly: true)
        }
        return UpstreamGate(policy: policy, resolver: SystemResolver())
    }

    /// The upstream client: no redirects followed, no decompression, no tracing spans, the configured
    /// connect and idle timeouts, and no retried connection attempts (a refused connection is an answer,
    /// not a reason to retry until the connect timeout). `newConnectionEachTime` makes one that never
    /// reuses a connection.
    static func makeClient(_ c: ServerConfiguration, newConnectionEachTime: Bool = false) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: .milliseconds(Int64(c.upstreamConnectTimeoutSeconds * 1000)),
                read: .milliseconds(Int64(c.upstreamIdleTimeoutSeconds * 1000))
            ),
            decompression: .disabled
        )
        configuration.tlsConfiguration = UpstreamTLS.configuration(c)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 1024
        configuration.connectionPool.idleTimeout = .seconds(60)
        configuration.connectionPool.retryConnectionEstablishment = false
        if newConnectionEachTime { configuration.maximumUsesPerConnection = 1 }
        // No distributed-tracing span per request (it parses the URL again and costs ~2% of the proxy's CPU).
        configuration.tracing.tracer = nil
        let policy = UpstreamPolicy(c)
        if policy.refusesMetadata {
            configuration.http1_1ConnectionDebugInitializer = { policy.connectCheck($0) }
            configuration.http2ConnectionDebugInitializer = { policy.connectCheck($0) }
        }
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// After the services stopped: saves what capture still holds, shuts the client down, closes the store.
    func close(logger: Logger) async {
        await pipeline.flush()
        try? await client.shutdown()
        try? await freshClient.shutdown()
        do { try await store.close() } catch { logger.error("closing the store failed: \(error)") }
        if let admin { try? await admin.store.close() }
    }
}
