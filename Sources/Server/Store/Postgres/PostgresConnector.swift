import Logging
import NIOSSL
import PostgresNIO

/// How to reach the PostgreSQL server a ``DatabaseURL`` names, for the record store and the admin
/// database alike: the pool's and a single connection's configurations (TLS as `sslmode` says), the
/// schema checked, a probe that says at once why the server cannot be reached, and a quiet pool.
struct PostgresConnector: Sendable {
    let url: DatabaseURL
    /// The schema holding the tables: the one asked for, else the URL's `schema=`, else `public`.
    let schema: String
    let poolConfiguration: PostgresClient.Configuration
    let connectionConfiguration: PostgresConnection.Configuration

    init(_ url: DatabaseURL, schema: String?, maximumConnections: Int) throws {
        guard url.engine == .postgres else { throw StoreError("\(url) is not a PostgreSQL URL") }
        let schema = schema ?? url.schema ?? "public"
        guard schema.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }), !schema.isEmpty else {
            throw StoreError("'\(schema)' is not a usable schema name (letters, digits and _ only)")
        }
        self.url = url
        self.schema = schema
        let tls = try PostgresStore.tlsConfiguration(url)
        let milliseconds = Int64(url.connectTimeoutSeconds * 1000)
        var pool = PostgresClient.Configuration(
            host: url.host,
            port: url.port,
            username: url.user,
            password: url.password,
            database: url.database,
            tls: tls.map { .require($0) } ?? .disable
        )
        pool.options.maximumConnections = maximumConnections
        pool.options.connectTimeout = .milliseconds(milliseconds)
        poolConfiguration = pool
        var connection = PostgresConnection.Configuration(
            host: url.host,
            port: url.port,
            username: url.user,
            password: url.password,
            database: url.database,
            tls: try tls.map { .require(try NIOSSLContext(configuration: $0)) } ?? .disable
        )
        connection.options.connectTimeout = .milliseconds(milliseconds)
        connectionConfiguration = connection
    }

    /// Opens one plain connection and closes it: the pool retries a refused connection quietly, while
    /// this says at once why the server cannot be reached or refuses the login.
    func probe(doing what: String, logger: Logger) async throws {
        do {
            let connection = try await PostgresConnection.connect(configuration: connectionConfiguration, id: 0, logger: logger)
            try await connection.close()
        } catch {
            throw PostgresStore.describe(error, url: url, doing: what)
        }
    }

    /// The pool. It logs each failed connection attempt at info level, once a second while a server is
    /// down; llmtrace reports an outage itself (once a minute, and in /api/health), so the pool's logger
    /// starts at notice.
    private func makeClient(logger: Logger) -> PostgresClient {
        var poolLogger = logger
        poolLogger.logLevel = max(logger.logLevel, .notice)
        return PostgresClient(configuration: poolConfiguration, backgroundLogger: poolLogger)
    }

    /// The pool, running: returns once the task that runs it has started, so that the first query does
    /// not come before `run()` (postgres-nio warns of a lease before it). Cancel `runner`, then await it,
    /// to close the pool.
    func startPool(logger: Logger) async -> (client: PostgresClient, runner: Task<Void, Never>) {
        let client = makeClient(logger: logger)
        let (started, signal) = AsyncStream<Void>.makeStream()
        let runner = Task {
            signal.finish()
            await client.run()
        }
        for await _ in started {}
        return (client, runner)
    }

    /// Stops a pool from ``startPool(logger:)``. It waits up to 10 s for the connections to close (a
    /// query still running after its caller's deadline holds one), then leaves them to close on their own,
    /// so that shutting down never hangs on a server that stopped answering.
    static func stopPool(_ runner: Task<Void, Never>, url: DatabaseURL, logger: Logger) async {
        runner.cancel()
        do {
            try await withDeadline(.seconds(10), "closing") { await runner.value }
        } catch {
            logger.warning("\(url): the pool's connections did not close within 10 s; they are left to close on their own")
        }
    }
}
