import ArgumentParser
import Foundation
import LLMTraceModel
import Logging
import Server

/// `llmtrace serve`: flags are read here and handed to ``ConfigResolver``; nothing else happens in this target.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the proxy, the capture store and the JSON API (the default command)."
    )

    @Option(
        name: [.short, .long],
        help: "local (default: no accounts) or shared (teams, accounts and environments; needs a PostgreSQL or MySQL --db)."
    )
    var mode: String?
    @Option(name: .long, help: "Shared mode: the PostgreSQL or MySQL URL keeping accounts, teams and environments (default: --db).")
    var adminDb: String?
    @Option(name: .long, help: "Shared mode: the MySQL URL keeping accounts (the same setting as --admin-db).")
    var adminMysqlUrl: String?
    @Option(
        name: .long,
        help: "Shared mode: the secret signing access tokens, 32 bytes or more (default: generated once, kept in the admin database)."
    )
    var jwtSecret: String?
    @Option(name: [.short, .long], help: "Port to listen on (default 8080; 0 picks a free one).")
    var port: String?
    @Option(name: [.customShort("H"), .long], help: "Address to listen on (default 127.0.0.1).")
    var host: String?
    @Option(name: [.customShort("P"), .long], help: "Password the API and panel require (Bearer token or HTTP Basic).")
    var password: String?
    @Option(
        name: .long,
        help:
            "Where records are kept: :memory: (default), a SQLite file, or a PostgreSQL or MySQL/MariaDB URL (postgres://user:password@host:5432/database?sslmode=disable, mysql://user:password@host:3306/database?ssl-mode=disable)."
    )
    var db: String?
    @Option(name: .long, help: "PostgreSQL URL to keep records in (the same setting as --db).")
    var postgresUrl: String?
    @Option(name: .long, help: "MySQL or MariaDB URL to keep records in (the same setting as --db).")
    var mysqlUrl: String?
    @Option(name: .long, help: "Most connections to a database server (default 10, or pool= in the URL).")
    var dbPool: String?
    @Option(name: [.short, .long], help: "Config file (JSON or YAML); default: .llmtracerc and friends, searched upward.")
    var config: String?
    @Option(name: .long, help: "Serve the web panel from this directory instead of the copy built into llmtrace.")
    var webRoot: String?
    @Option(name: .long, help: "Largest body captured per direction (default 10MiB); larger ones are forwarded whole, stored cut.")
    var maxBody: String?
    @Option(name: .long, help: "Records kept by the memory store (default 10000), oldest dropped.")
    var memoryLimit: String?
    @Option(name: .long, help: "Delete records older than this, e.g. 12h, 30d, 4w (default: keep them).")
    var retain: String?
    @Option(name: .long, help: "Keep at most this many records, deleting the oldest (default: no cap).")
    var maxRecords: String?
    @Option(name: .long, help: "Seconds between retention passes (default 60; the first runs at start).")
    var pruneInterval: String?
    @Option(name: .long, help: "Shared mode: seconds between checks of the budget alert rules (default 30).")
    var alertInterval: String?
    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical (default info).")
    var logLevel: String?
    @Option(name: .long, help: "Seconds in-flight requests get to finish on SIGINT/SIGTERM (default 10).")
    var shutdownGrace: String?
    @Option(name: .long, help: "Seconds to wait for an upstream connection (default 10).")
    var upstreamConnectTimeout: String?
    @Option(name: .long, help: "Seconds an upstream may stay silent before the exchange fails (default 600).")
    var upstreamIdleTimeout: String?
    @Option(name: .long, help: "Unix socket to serve the API on too (default $XDG_RUNTIME_DIR/llmtrace.sock or ~/.llmtrace/llmtrace.sock).")
    var socket: String?
    @Flag(name: .long, help: "Do not serve on a unix socket.")
    var noSocket = false
    @Option(name: .long, help: "Price override file merged over the built-in prices (see docs/PRICING.md).")
    var pricing: String?
    @Option(name: .long, help: "Serve HTTPS with this PEM certificate chain (with --tls-key; reloaded on SIGHUP).")
    var tlsCert: String?
    @Option(name: .long, help: "The PEM private key of --tls-cert.")
    var tlsKey: String?
    @Option(
        name: .customLong("trusted-proxy"),
        help: "A reverse proxy's address or CIDR block whose X-Forwarded-For / Forwarded headers name the client (repeatable)."
    )
    var trustedProxies: [String] = []
    @Option(
        name: .customLong("allow-upstream"),
        help: "What /proxy/ may reach: a host glob with optional port (*.openai.com, localhost:11434) or a CIDR block (repeatable)."
    )
    var allowUpstreams: [String] = []
    @Option(name: .long, help: "Largest request head (request line and headers) a client may send (default 64KiB); larger: 431.")
    var maxHeadSize: String?
    @Option(
        name: .long,
        help: "Most connections one client address may keep open to the API, events and panel (default 64; 0: no limit)."
    )
    var maxConnectionsPerClient: String?
    @Option(name: .long, help: "Most connections one client address may keep open to the proxy route (default 0: no limit).")
    var maxProxyConnectionsPerClient: String?
    @Option(
        name: .long,
        help: "Seconds a new connection may go without sending a request (or with a stalled body) before it is closed (default 30; 0: never)."
    )
    var clientIdleTimeout: String?
    @Option(name: .long, help: "Seconds a kept-alive connection may wait for its next request (default 75; 0: for ever).")
    var keepAliveTimeout: String?
    @Option(name: .customLong("upstream-ca"), help: "PEM file of CA certificates to trust for HTTPS upstreams, besides the system's.")
    var upstreamCA: String?
    @Option(
        name: .customLong("capture-host"),
        help: "Forward proxy: also decrypt and record CONNECTs to this host (a name, or *.domain); repeatable. Known LLM API hosts always are."
    )
    var captureHosts: [String] = []
    @Flag(name: .long, help: "Forward proxy: decrypt and record CONNECTs to every host, not only LLM APIs.")
    var captureAll = false
    @Option(
        name: .long,
        help: "Forward proxy: the env its exchanges are recorded under (default forward; a request's x-llmtrace-env header overrides it)."
    )
    var forwardEnv: String?
    @Flag(name: .long, help: "Forward proxy: let CONNECT reach loopback, link-local and private addresses.")
    var allowPrivate = false
    @Option(name: .long, help: "Directory of llmtrace's CA for the forward proxy (default ~/.llmtrace/ca; LLMTRACE_CA_DIR).")
    var caDir: String?
    @Flag(name: .long, help: "Let a scraper on loopback (or the unix socket) read /metrics without the password or a token.")
    var metricsPublic = false
    @Option(
        name: .long,
        help:
            "Export every exchange as an OpenTelemetry span (GenAI conventions) with the GenAI metrics to this OTLP/HTTP collector, e.g. http://127.0.0.1:4318 (OTEL_EXPORTER_OTLP_ENDPOINT works too)."
    )
    var otlpEndpoint: String?
    @Flag(name: .long, help: "Include prompts and answers in exported spans (off: only sizes, tokens, models and timings).")
    var otlpContent = false
    @Flag(name: [.customShort("v"), .long], help: "Print the version and exit.")
    var version = false

    func run() async throws {
        if version {
            print(LLMTraceVersion.current)
            return
        }
        let flags: [ConfigResolver.Key: String?] = [
            .mode: mode, .port: port, .host: host, .password: password, .db: db ?? postgresUrl ?? mysqlUrl, .webRoot: webRoot, .maxBody: maxBody,
            .memoryLimit: memoryLimit, .logLevel: logLevel, .shutdownGrace: shutdownGrace,
            .upstreamConnectTimeout: upstreamConnectTimeout, .upstreamIdleTimeout: upstreamIdleTimeout, .pricing: pricing,
            .socket: noSocket ? "" : socket,
            .retain: retain, .maxRecords: maxRecords, .pruneInterval: pruneInterval, .dbPool: dbPool, .alertInterval: alertInterval,
            .adminDb: adminDb ?? adminMysqlUrl, .jwtSecret: jwtSecret, .tlsCert: tlsCert, .tlsKey: tlsKey,
            .trustedProxy: trustedProxies.isEmpty ? nil : trustedProxies.joined(separator: ","),
            .allowUpstream: allowUpstreams.isEmpty ? nil : allowUpstreams.joined(separator: ","),
            .maxHeadSize: maxHeadSize, .maxConnectionsPerClient: maxConnectionsPerClient,
            .maxProxyConnectionsPerClient: maxProxyConnectionsPerClient, .clientIdleTimeout: clientIdleTimeout, .keepAliveTimeout: keepAliveTimeout,
            .upstreamCA: upstreamCA,
            .captureHost: captureHosts.isEmpty ? nil : captureHosts.joined(separator: ","), .captureAll: captureAll ? "true" : nil,
            .forwardEnv: forwardEnv, .allowPrivate: allowPrivate ? "true" : nil, .caDir: caDir,
            .metricsPublic: metricsPublic ? "true" : nil, .otlpEndpoint: otlpEndpoint, .otlpContent: otlpContent ? "true" : nil,
        ]
        let resolver = ConfigResolver(
            flags: flags.compactMapValues { $0 },
            environment: ProcessInfo.processInfo.environment,
            workingDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
            configPath: config
        )
        let (configuration, file): (ServerConfiguration, URL?)
        do {
            (configuration, file) = try resolver.resolve()
        } catch {
            throw ValidationError(error.message)
        }

        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "llmtrace")
        if let file { logger.info("using config file \(file.path)") }
        if configuration.listensPublicly && configuration.password == nil && !configuration.isShared {
            logger.warning(
                "listening on \(configuration.host) without --password: anyone who can reach this port can read captured traffic and use the proxy"
            )
        }
        if configuration.listensPublicly && configuration.isShared && !configuration.usesTLS {
            logger.warning(
                "shared mode listening on \(configuration.host) without TLS: passwords, access tokens and ingest keys cross the network in clear; serve HTTPS with --tls-cert FILE --tls-key FILE, or put a TLS reverse proxy in front and listen on 127.0.0.1"
            )
        }
        var retentionParts: [String] = []
        if let retain = retain ?? configuration.retainSeconds.map({ "\(Int($0))s" }) { retentionParts.append("older than \(retain)") }
        if let n = configuration.maxRecords { retentionParts.append("beyond \(n) records") }
        let retentionText = retentionParts.isEmpty ? "keep everything" : "delete " + retentionParts.joined(separator: " or ")
        let server = LLMTraceServer(configuration: configuration, logger: logger)
        try await server.run { address in
            let banner = """
                llmtrace \(LLMTraceVersion.current) listening on \(configuration.urlScheme)://\(address)
                  store: \(configuration.database == ":memory:" ? "memory" : DatabaseURL.isURL(configuration.database) ? DatabaseURL.redacted(configuration.database) : configuration.database)
                  mode: \(configuration.isShared ? "shared (sign in: POST /admin/login)" : "local")
                  socket: \(configuration.socketPath ?? "none")
                  retention: \(retentionText)
                  proxy: \(configuration.urlScheme)://\(address)/proxy/<env>\(configuration.isShared ? "[:<ingest key>]" : "")/https/api.openai.com/v1
                  upstreams: \(UpstreamPolicy(configuration).summary)
                  metrics: \(configuration.urlScheme)://\(address)/metrics\(configuration.metricsPublic ? " (open to loopback)" : "")
                  otlp: \(configuration.otlpSummary)

                """
            FileHandle.standardOutput.write(Data(banner.utf8))
        }
    }
}
