import Foundation
import Logging

/// Everything `llmtrace serve` needs, after flags, config file, environment and defaults were merged.
public struct ServerConfiguration: Sendable, Equatable {
    /// `local` (memory, SQLite or a database server; no accounts) or `shared` (team mode: accounts,
    /// teams and environments on PostgreSQL or MySQL, see docs/TEAM-SERVER.md).
    public var mode: String = "local"
    /// Shared mode: where accounts, teams and environments are kept (`--admin-db`); `nil` for ``database``.
    public var adminDatabase: String?
    /// Shared mode: the secret access tokens are signed with (`--jwt-secret`); `nil` to use the one
    /// generated once and kept in the admin database.
    public var jwtSecret: String?
    /// Shared mode: the first system administrator to create at start when none exists
    /// (`LLMTRACE_BOOTSTRAP_EMAIL`, `LLMTRACE_BOOTSTRAP_PASSWORD`).
    public var bootstrapEmail: String?
    public var bootstrapPassword: String?
    /// The bcrypt cost of new password hashes (12; tests lower it).
    public var bcryptCost: UInt8 = 12
    /// Shared mode: seconds an access token lives (900; `LLMTRACE_ACCESS_TOKEN_TTL`, for tests of the
    /// clients' silent refresh).
    public var accessTokenLifetime: Double = 15 * 60

    /// Whether this is shared (team) mode.
    public var isShared: Bool { mode == "shared" }

    /// The admin database's URL in shared mode: ``adminDatabase``, else ``database``.
    public var adminDatabaseURL: String { adminDatabase ?? database }
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// When set, every API route and the panel need it (Bearer token or HTTP Basic password).
    public var password: String?
    /// `:memory:` or a SQLite file path.
    public var database: String = ":memory:"
    /// Largest body captured per direction, in bytes; larger bodies are forwarded whole and stored cut.
    public var maxBodyBytes: Int = 10 * 1024 * 1024
    /// Records the memory store keeps; the oldest are dropped first.
    public var memoryLimit: Int = 10_000
    /// Most connections to a database server (`--db-pool`); `nil`: the URL's `pool=`, else 10.
    public var databasePoolSize: Int?
    public var logLevel: Logger.Level = .info
    /// Delete records that started longer ago than this many seconds (`--retain 30d`); `nil` keeps them.
    public var retainSeconds: Double?
    /// Keep at most this many records, deleting the oldest (`--max-records`); `nil` for no cap.
    public var maxRecords: Int?
    /// Seconds between retention passes (the first runs at start).
    public var pruneIntervalSeconds: Double = 60
    /// Shared mode: seconds between checks of the budget alert rules.
    public var alertIntervalSeconds: Double = 30
    /// Serve this directory at `/` instead of nothing.
    public var webRoot: String?
    /// The unix socket the HTTP API is also served on (mode 0600); `nil` for none. ``ConfigResolver``
    /// sets it to ``SocketPath/defaultPath(environment:)`` unless told otherwise.
    public var socketPath: String?
    /// A price override file merged over the bundled table (see docs/PRICING.md).
    public var pricingFile: String?
    /// Seconds in-flight requests get to finish after SIGINT/SIGTERM.
    public var shutdownGraceSeconds: Double = 10
    /// Seconds to wait for an upstream TCP (and TLS) connection.
    public var upstreamConnectTimeoutSeconds: Double = 10
    /// Seconds an upstream may stay silent mid-response before the exchange is failed. A stream that keeps
    /// sending is never cut, however long it runs.
    public var upstreamIdleTimeoutSeconds: Double = 600

    /// The largest request head (request line and header fields) a client may send, in bytes
    /// (`--max-head-size`); a larger one is answered 431 and its connection closed.
    public var maxHeadBytes: Int = 64 * 1024
    /// Most connections one client address may keep open to the API, the event stream, the panel and
    /// `/admin` (`--max-connections-per-client`); 0 for no limit. Counted by TCP peer address; trusted
    /// proxies (``trustedProxies``) are not counted, and the proxy route has its own limit.
    public var maxConnectionsPerClient: Int = 64
    /// The same for the proxy route (`--max-proxy-connections-per-client`); 0 (the default) for no limit.
    public var maxProxyConnectionsPerClient: Int = 0
    /// Seconds a client connection may keep llmtrace waiting before it is closed
    /// (`--client-idle-timeout`): for a complete request head (a new connection, its TLS handshake
    /// included, or a kept-alive one between requests) or for more of a request body. 0 for never. A
    /// response in progress (an event stream, a streamed answer) is never cut for this.
    public var clientIdleTimeoutSeconds: Double = 30
    /// Seconds a kept-alive client connection may wait for its next request (`--keep-alive-timeout`); 0
    /// for ever. Longer than load balancers' usual 60 s, so one never reuses a connection being closed.
    public var keepAliveTimeoutSeconds: Double = 75

    /// The PEM certificate chain HTTPS is served with (`--tls-cert`); `nil` serves plain HTTP.
    public var tlsCertificatePath: String?
    /// The PEM private key of ``tlsCertificatePath`` (`--tls-key`).
    public var tlsKeyPath: String?

    /// PEM CA certificates trusted for upstream HTTPS besides the system's (`--upstream-ca`): a
    /// corporate TLS inspection proxy's, a test server's.
    public var upstreamCAPath: String?
    /// The forward proxy: which CONNECT hosts are decrypted, their env, private addresses, the CA's directory.
    public var forwardProxy = ForwardProxySettings()

    /// Reverse proxies whose `X-Forwarded-For`, `X-Forwarded-Proto` and `Forwarded` headers name the
    /// client (`--trusted-proxy`); from any other peer those headers are ignored.
    public var trustedProxies: [IPNetwork] = []
    /// What `/proxy/…` may reach (`--allow-upstream`); empty: every upstream the default policy allows.
    public var allowUpstreams: [UpstreamPattern] = []
    /// Whether a scraper on loopback (or the unix socket) reads `/metrics` without the password or a
    /// token (`--metrics-public`).
    public var metricsPublic = false
    /// The OTLP/HTTP collector every exchange is exported to as a span, with the GenAI metrics
    /// (`--otlp-endpoint`, or `OTEL_EXPORTER_OTLP_ENDPOINT`); `nil`: no export.
    public var otlpEndpoint: String?
    /// Whether exported spans carry the prompts and answers (`--otlp-content`).
    public var otlpContent = false

    public init() {}

    /// Where spans go, for the banner: the collector's scheme, host and port (never a user or a path), or `off`.
    public var otlpSummary: String {
        guard let endpoint = otlpEndpoint, let url = URL(string: endpoint), let scheme = url.scheme, let host = url.host else { return "off" }
        let port = url.port.map { ":\($0)" } ?? ""
        return "\(scheme)://\(host)\(port) over OTLP/HTTP" + (otlpContent ? ", with prompts and answers" : "")
    }

    /// Whether the TCP listener serves HTTPS (the unix socket stays plain: it is local).
    public var usesTLS: Bool { tlsCertificatePath != nil && tlsKeyPath != nil }

    /// `https` with TLS, else `http`: for the URLs the banner shows.
    public var urlScheme: String { usesTLS ? "https" : "http" }

    /// Whether the server listens beyond the loopback interface.
    public var listensPublicly: Bool {
        !["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) && !host.hasPrefix("127.")
    }
}
