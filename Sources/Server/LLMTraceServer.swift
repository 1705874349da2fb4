import Analysis
import Foundation
import Hummingbird
import HummingbirdCore
import LLMTraceModel
import Logging
import NIOCore
import ServiceLifecycle

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

    /// Opens the store the configuration names: memory, a SQLite file, or a database server by URL
    /// (`postgres://…`, `postgresql://…`, `mysql://…`, `mariadb://…`).
    public static func openStore(
        _ configuration: ServerConfiguration,
        logger: Logger = Logger(label: "llmtrace.store")
    ) async throws -> any TraceStore {
        if configuration.database == ":memory:" || configuration.database.isEmpty {
            return MemoryStore(limit: configuration.memoryLimit)
        }
        if DatabaseURL.isURL(configuration.database) {
            var url = try DatabaseURL(configuration.database)
            if let pool = configuration.databasePoolSize { url.poolSize = pool }
            switch url.engine {
            case .postgres: return try await PostgresStore.connect(url, node: nodeName(), logger: logger)
            case .mysql: return try await MySQLStore.connect(url, node: nodeName(), logger: logger)
            }
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
        return try SQLiteStore(path: configuration.database, logger: logger)
    }

    /// This run's name among the nodes sharing a database: host, process and a random part.
    static func nodeName() -> String {
        "\(ProcessInfo.processInfo.hostName)/\(getpid())/\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    }

    /// Runs until a graceful-shutdown signal. `onListening` receives the bound address (`127.0.0.1:8080`).
    public func run(onListening: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        // A write past the file-size limit (ulimit -f) must fail with EFBIG, which the store reports in
        // /api/health, instead of killing the server with SIGXFSZ while it is forwarding traffic.
        signal(SIGXFSZ, SIG_IGN)
        // Everything that can refuse to start is checked before anything needs shutting down.
        // Made even when unused: a CA file that is not PEM is reported at start, before anything opens.
        let upstreamTLS = try UpstreamTLS.context(configuration)
        if let socketPath = configuration.socketPath { try UnixSocket.prepare(socketPath) }
        if let webRoot = configuration.webRoot {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: webRoot, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ConfigurationError("--web-root \(webRoot) is not a directory")
            }
        }
        var certificates: TLSCertificates?
        var reload: TLSReloadService?
        if let cert = configuration.tlsCertificatePath, let key = configuration.tlsKeyPath {
            let loaded = try TLSCertificates(certificatePath: cert, keyPath: key)
            certificates = loaded
            // SIGHUP is trapped before the listener opens: from the banner on, it reloads instead of ending the server.
            reload = await TLSReloadService(certificates: loaded, logger: logger)
        }
        let components = try await ServerComponents.open(configuration, logger: logger)
        let router = Self.buildRouter(
            api: components.api,
            password: configuration.password,
            webRoot: configuration.webRoot,
            logger: logger,
            admin: components.admin,
            metrics: components.metrics
        )
        let responder = RootResponder(proxy: components.proxy, api: router.buildResponder(), trustedProxies: configuration.trustedProxies)
        let core =
            ProxyCore.enabled
            ? ProxyCore(
                proxy: components.proxy,
                pools: UpstreamPools(connectTimeout: .milliseconds(Int64(configuration.upstreamConnectTimeoutSeconds * 1000)), tls: upstreamTLS),
                trustedProxies: configuration.trustedProxies,
                forward: components.forward
            ) : nil
        let group = serviceGroup(
            components,
            applications: applications(responder, core: core, tls: certificates, onListening: onListening),
            reload: reload
        )

        var failure: (any Error)?
        do { try await group.run() } catch { failure = error }
        core?.pools.closeAll()
        await components.close(logger: logger)
        if let socketPath = configuration.socketPath { unlink(socketPath) }
        if let failure { throw explained(failure) }
    }

    /// The TCP application, and the unix-socket one when there is a socket: the same responder and channel setup.
    /// The TCP listener serves HTTPS when `tls` is given; the unix socket stays plain HTTP (it is local),
    /// and of the client limits it keeps only the head size.
    private func applications(
        _ responder: RootResponder,
        core: ProxyCore?,
        tls: TLSCertificates?,
        onListening: @escaping @Sendable (String) -> Void
    ) -> [Application<RootResponder>] {
        let c = configuration
        let limits = ClientLimits(c, logger: logger)
        let tcp = Self.buildApplication(
            responder: responder,
            address: .hostname(c.host, port: c.port),
            core: core,
            tls: tls,
            limits: limits,
            logger: logger
        ) { channel in
            let address = channel.localAddress.map { a in
                let ip = a.ipAddress ?? c.host
                return "\(ip.contains(":") ? "[\(ip)]" : ip):\(a.port ?? c.port)"
            }
            onListening(address ?? "\(c.host):\(c.port)")
        }
        guard let socketPath = c.socketPath else { return [tcp] }
        let socket = Self.buildApplication(
            responder: responder,
            address: .unixDomainSocket(path: socketPath),
            core: core,
            limits: limits.local,
            logger: logger
        ) { _ in
            UnixSocket.restrict(socketPath)
        }
        return [tcp, socket]
    }

    /// The pipeline first (so it stops last and saves what the applications captured), then the
    /// applications, the event hub and retention, stopped gracefully on SIGTERM or SIGINT.
    private func serviceGroup(
        _ components: ServerComponents,
        applications: [Application<RootResponder>],
        reload: TLSReloadService?
    ) -> ServiceGroup {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        // A database server's pool: first in, so last to hear of shutdown.
        if let store = components.store as? any Service { services.append(.init(service: store)) }
        services.append(.init(service: components.pipeline))
        // The OTLP exporter stops after the applications, so the last exchanges' spans still go out.
        if let telemetry = components.telemetry { services.append(.init(service: telemetry)) }
        services += applications.map { .init(service: $0) }
        services.append(.init(service: components.events))
        if components.retention.isEnabled { services.append(.init(service: components.retention)) }
        if let cluster = components.cluster { services.append(.init(service: cluster)) }
        if let budgets = components.budgets { services.append(.init(service: budgets)) }
        if let reload { services.append(.init(service: reload)) }
        var groupConfig = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfig.maximumGracefulShutdownDuration = .milliseconds(Int64(configuration.shutdownGraceSeconds * 1000))
        groupConfig.cancellationSignals = []
        return ServiceGroup(configuration: groupConfig)
    }

    /// A failure to bind the port in words a user can act on; other failures as they are.
    private func explained(_ failure: any Error) -> any Error {
        if let io = failure as? IOError, io.errnoCode == EADDRINUSE {
            return ConfigurationError(
                "\(configuration.host):\(configuration.port) is already in use: stop the other server or choose another port with --port"
            )
        }
        return failure
    }
}
