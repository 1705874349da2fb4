import Logging

/// Everything `llmtrace serve` needs, after flags, config file, environment and defaults were merged.
public struct ServerConfiguration: Sendable, Equatable {
    /// `local` (memory or SQLite). `shared` (PostgreSQL) is reserved for team mode.
    public var mode: String = "local"
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

    public init() {}

    /// Whether the server listens beyond the loopback interface.
    public var listensPublicly: Bool {
        !["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) && !host.hasPrefix("127.")
    }
}
