import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import LLMTraceModel
import Analysis

/// `llmtrace serve`: the proxy, the capture pipeline, the store and the JSON API, run until SIGINT or SIGTERM.
public struct LLMTraceServer: Sendable {
    public let configuration: ServerConfiguration
    let logger: Logger

    public init(configuration: ServerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The bundled price table with the configuration's override file merged over it.
    public static func loadPrices(_ configuration: ServerConfiguration) throws -> PriceTable {
        guard let file = configuration.pricingFile else { return .bundled }
        do {
            return PriceTable.bundled.merging(try PriceTable.load(overridesFrom: URL(fileURLWithPath: file)))
        } catch {
            throw ConfigurationError("--pricing: \(error)")
        }
    }

    /// Opens the store the configuration names.
    public static func openStore(_ configuration: ServerConfiguration) throws -> any TraceStore {
        if configuration.database == ":memory:" || configuration.database.isEmpty {
            return MemoryStore(limit: configuration.memoryLimit)
        }
        let url = URL(fileURLWithPath: configuration.database)
        let dir = url.deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: dir.path) {
            do {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            } catch {
                throw StoreError("cannot create the directory \(dir.path) for --db: \(error.localizedDescription)")
            }
        }
        return try SQLiteStore(path: configuration.database)
    }

    /// Runs until a graceful-shutdown signal. `onListening` receives the bound address (`127.0.0.1:8080`).
    public func run(onListening: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        let c = configuration
        // A write past the file-size limit (ulimit -f) must fail with EFBIG, which the store reports in
        // /api/health, instead of killing the server with SIGXFSZ while it is forwarding traffic.
        signal(SIGXFSZ, SIG_IGN)
        // Everything that can refuse to start is checked before anything needs shutting down.
        if let socketPath = c.socketPath { try UnixSocket.prepare(socketPath) }
        let prices = try Self.loadPrices(c)
        if let problem = prices.loadError { logger.warning("pricing: \(problem)") }
        let store = try Self.openStore(c)
        let events = EventHub(logger: logger) { try? await store.stats(filter: RequestFilter()) }
        let pipeline = CapturePipeline(store: store, events: events, logger: logger)
        let retention = Retention(store: store, retainSeconds: c.retainSeconds, maxRecords: c.maxRecords,
            interval: .milliseconds(Int64(c.pruneIntervalSeconds * 1000)), logger: logger)

        var clientConfig = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: .milliseconds(Int64(c.upstreamConnectTimeoutSeconds * 1000)),
                read: .milliseconds(Int64(c.upstreamIdleTimeoutSeconds * 1000))),
            decompression: .disabled)
        clientConfig.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 1024
        clientConfig.connectionPool.idleTimeout = .seconds(60)
        // Fail fast: a refused connection is an answer, not a reason to retry until the connect timeout.
        clientConfig.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfig)

        let proxy = ProxyHandler(
            client: client, pipeline: pipeline, prices: prices, ids: RecordIDGenerator(), maxBody: c.maxBodyBytes,
            headTimeout: .milliseconds(Int64(c.upstreamIdleTimeoutSeconds * 1000)), logger: logger)

        let router = Router(context: BasicRequestContext.self)
        if let password = c.password {
            router.add(middleware: PasswordMiddleware(password: password))
        }
        // The web panel: --web-root, else the copy bundled with the binary.
        if let root = c.webRoot ?? ResourceLocator.find(bundle: "llmtrace_Server", path: "Web")?.path {
            router.add(middleware: FileMiddleware(root, searchForIndexHtml: true, logger: logger))
        } else {
            logger.warning("web panel files not found next to the executable (llmtrace_Server.resources/Web); / serves nothing")
        }
        APIController(store: store, pipeline: pipeline, events: events, prices: prices, retention: retention, startedAt: Date()).addRoutes(to: router)

        // TCP and the unix socket serve the same responder through the same channel setup.
        let responder = RootResponder(proxy: proxy, api: router.buildResponder())
        let http1 = HTTPServerBuilder.http1(configuration: .init(additionalChannelHandlers: [ExpectContinueHandler()]))
        let app = Application(
            responder: responder,
            server: http1,
            configuration: .init(address: .hostname(c.host, port: c.port), serverName: nil),
            onServerRunning: { channel in
                let address = channel.localAddress.map { a in
                    let ip = a.ipAddress ?? c.host
                    return "\(ip.contains(":") ? "[\(ip)]" : ip):\(a.port ?? c.port)"
                }
                onListening(address ?? "\(c.host):\(c.port)")
            },
            logger: logger)

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: pipeline), .init(service: app)]
        if let socketPath = c.socketPath {
            let socketApp = Application(
                responder: responder,
                server: http1,
                configuration: .init(address: .unixDomainSocket(path: socketPath), serverName: nil),
                onServerRunning: { _ in UnixSocket.restrict(socketPath) },
                logger: logger)
            services.append(.init(service: socketApp))
        }
        services.append(.init(service: events))
        if retention.isEnabled { services.append(.init(service: retention)) }
        var groupConfig = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfig.maximumGracefulShutdownDuration = .milliseconds(Int64(c.shutdownGraceSeconds * 1000))
        groupConfig.cancellationSignals = []
        let group = ServiceGroup(configuration: groupConfig)

        var failure: (any Error)?
        do { try await group.run() } catch { failure = error }
        await pipeline.flush()
        try? await client.shutdown()
        do { try await store.close() } catch { logger.error("closing the store failed: \(error)") }
        if let socketPath = c.socketPath { unlink(socketPath) }
        if let failure {
            if let io = failure as? IOError, io.errnoCode == EADDRINUSE {
                throw ConfigurationError("\(c.host):\(c.port) is already in use: stop the other server or choose another port with --port")
            }
            throw failure
        }
    }
}

/// Sends `/proxy/…` to the proxy and everything else to the API router.
struct RootResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let proxy: ProxyHandler
    let api: RouterResponder<BasicRequestContext>

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        let path = request.head.path ?? ""
        if path.hasPrefix("/proxy/") || path == "/proxy" || path.hasPrefix("/proxy?") {
            return await proxy.handle(request)
        }
        return try await api.respond(to: request, context: context)
    }
}
