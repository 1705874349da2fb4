import CMariaDB
import Foundation

/// One connection to a MySQL or MariaDB server through the MariaDB C client.
///
/// Every call blocks the calling thread until the server answers, so connections are only used on
/// the threads of a ``MySQLConnectionPool``, one thread at a time (the pool hands each to one piece of
/// work, which is why the class may cross threads: `@unchecked Sendable`).
///
/// Values are always bound to prepared statements (`mysql_stmt_*` with `MYSQL_BIND`), never spliced
/// into SQL. After a client-side failure (a lost connection, a timeout) the connection is
/// ``isBroken`` and the pool closes it instead of reusing it.
final class MySQLConnection: @unchecked Sendable {
    private let handle: UnsafeMutablePointer<MYSQL>
    private var closed = false
    /// Whether a failure left the connection unusable (the pool then closes it and opens another).
    private(set) var isBroken = false
    /// The server's `max_allowed_packet`: the largest statement, and the largest single value, it accepts.
    private(set) var maxAllowedPacket = 16 << 20
    /// The server's id of this session (what `KILL` and `information_schema.PROCESSLIST` name).
    var threadID: UInt { mysql_thread_id(handle) }

    /// Initializes the client library once per process (it is not thread-safe before that).
    private static let libraryReady: Bool = llmtrace_mysql_library_init() == 0

    private init(handle: UnsafeMutablePointer<MYSQL>) {
        self.handle = handle
    }

    deinit { close() }

    /// Opens a connection to the database `url` names.
    ///
    /// TCP always (also for `localhost`, which the client would otherwise take as its unix socket), the
    /// URL's `connect_timeout`, utf8mb4, and TLS as `ssl-mode` says: `disable` turns it off (also in
    /// clients that enable it by default), `require` insists on it without checking the certificate
    /// (a server without TLS is refused), `verify-full` checks the certificate and the host name
    /// against the system's CAs.
    static func connect(_ url: DatabaseURL) throws -> MySQLConnection {
        guard libraryReady else { throw MySQLError(code: 2000, message: "the MariaDB client library could not be initialized") }
        guard let handle = mysql_init(nil) else { throw MySQLError(code: 2008, message: "the MariaDB client ran out of memory") }
        var timeout = UInt32(max(1, url.connectTimeoutSeconds.rounded(.up)))
        var ioTimeout = UInt32(Self.ioTimeoutSeconds)
        var tcp = UInt32(MYSQL_PROTOCOL_TCP.rawValue)
        var useTLS: my_bool = url.tls == .disable ? 0 : 1
        var verify: my_bool = url.tls == .verifyFull ? 1 : 0
        var no: my_bool = 0
        mysql_options(handle, MYSQL_OPT_CONNECT_TIMEOUT, &timeout)
        mysql_options(handle, MYSQL_OPT_READ_TIMEOUT, &ioTimeout)
        mysql_options(handle, MYSQL_OPT_WRITE_TIMEOUT, &ioTimeout)
        mysql_options(handle, MYSQL_OPT_PROTOCOL, &tcp)
        mysql_options(handle, MYSQL_OPT_SSL_ENFORCE, &useTLS)
        mysql_options(handle, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify)
        // ssl-ca (or sslrootcert): the authorities to check the server's certificate against.
        if let ca = url.rootCertificatePath { _ = ca.withCString { mysql_options(handle, MYSQL_OPT_SSL_CA, $0) } }
        // Reconnecting is the pool's job: a silent reconnect would lose the session's settings and locks.
        mysql_options(handle, MYSQL_OPT_RECONNECT, &no)
        _ = "utf8mb4".withCString { mysql_options(handle, MYSQL_SET_CHARSET_NAME, $0) }
        let connected = url.host.withCString { host in
            url.user.withCString { user in
                url.database.withCString { db in
                    withOptionalCString(url.password) { password in
                        mysql_real_connect(handle, host, user, password, db, UInt32(url.port), nil, 0)
                    }
                }
            }
        }
        guard connected != nil else {
            let error = MySQLError(handle)
            mysql_close(handle)
            throw error
        }
        let connection = MySQLConnection(handle: handle)
        // The client falls back to a clear connection when the server offers no TLS unless the
        // certificate is verified: `require` checks it got TLS. (The password itself never crosses in
        // clear: the native login sends a scramble, and the clear-text plugin stays disabled.)
        if url.tls == .require, connection.tlsCipher == nil {
            connection.close()
            throw MySQLError(
                code: UInt32(CR_SSL_CONNECTION_ERROR),
                message:
                    "ssl-mode=require, but the server does not offer TLS; configure TLS on the server (ssl_cert, ssl_key) or use ssl-mode=disable on a trusted network"
            )
        }
        // Strict mode (a value that does not fit is an error, not a silent truncation), whatever the
        // server's default; read committed, as PostgreSQL, which also takes fewer gap locks on inserts.
        try connection.execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'")
        try connection.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
        if let packet = try connection.query("SELECT @@max_allowed_packet").first?.values.first?.int, packet > 0 {
            connection.maxAllowedPacket = packet
        }
        return connection
    }

    /// Seconds one read or write on the socket may take before the connection counts as lost.
    static let ioTimeoutSeconds = 120

    /// The TLS cipher in use, `nil` without TLS.
    var tlsCipher: String? { mysql_get_ssl_cipher(handle).map { String(cString: $0) } }

    /// Closes the connection (telling the server). Idempotent.
    func close() {
        guard !closed else { return }
        closed = true
        mysql_close(handle)
    }

    /// Runs `sql` without bound values, discarding any rows (`START TRANSACTION`, DDL, `SET`).
    func execute(_ sql: String) throws {
        let status = sql.withCString { mysql_real_query(handle, $0, UInt(strlen($0))) }
        guard status == 0 else { throw failure(MySQLError(handle)) }
        if let result = mysql_store_result(handle) {
            mysql_free_result(result)
        } else if mysql_field_count(handle) != 0 {
            throw failure(MySQLError(handle))
        }
    }

    /// Runs `sql` as a prepared statement with `values` bound to its `?`s; returns the rows changed.
    @discardableResult
    func execute(_ sql: String, _ values: [ColumnValue]) throws -> Int {
        try run(sql, values, fetch: false).affectedRows
    }

    /// Runs `sql` as a prepared statement with `values` bound to its `?`s; returns its rows.
    func query(_ sql: String, _ values: [ColumnValue] = []) throws -> [MySQLRow] {
        try run(sql, values, fetch: true).rows
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("START TRANSACTION")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if !isBroken {
                do { try execute("ROLLBACK") } catch { isBroken = true }
            }
            throw error
        }
    }

    /// The largest value bound inline; larger ones go as long data, so a statement's packet stays small.
    var longDataThreshold: Int { max(1024, min(64 << 10, maxAllowedPacket / 128)) }

    private func run(_ sql: String, _ values: [ColumnValue], fetch: Bool) throws -> (rows: [MySQLRow], affectedRows: Int) {
        guard let statement = mysql_stmt_init(handle) else { throw failure(MySQLError(handle)) }
        defer { mysql_stmt_close(statement) }
        do {
            let prepared = sql.withCString { mysql_stmt_prepare(statement, $0, UInt(strlen($0))) }
            guard prepared == 0 else { throw MySQLError(statement: statement) }
            guard Int(mysql_stmt_param_count(statement)) == values.count else {
                throw MySQLError(code: 2034, message: "\(values.count) values for \(mysql_stmt_param_count(statement)) placeholders")
            }
            let parameters = MySQLParameters(values, longDataThreshold: longDataThreshold)
            if !values.isEmpty {
                guard mysql_stmt_bind_param(statement, parameters.binds) == 0 else { throw MySQLError(statement: statement) }
                try parameters.sendLongData(statement, values: values, chunk: max(1024, min(1 << 20, maxAllowedPacket / 2)))
            }
            guard mysql_stmt_execute(statement) == 0 else { throw MySQLError(statement: statement) }
            guard fetch, let metadata = mysql_stmt_result_metadata(statement) else {
                return ([], Int(clamping: mysql_stmt_affected_rows(statement)))
            }
            defer { mysql_free_result(metadata) }
            var updateMaxLength: my_bool = 1
            mysql_stmt_attr_set(statement, STMT_ATTR_UPDATE_MAX_LENGTH, &updateMaxLength)
            guard mysql_stmt_store_result(statement) == 0 else { throw MySQLError(statement: statement) }
            let count = Int(mysql_num_fields(metadata))
            guard let fields = mysql_fetch_fields(metadata) else { return ([], 0) }
            let buffers = MySQLResultBuffers(fields, count: count)
            guard mysql_stmt_bind_result(statement, buffers.binds) == 0 else { throw MySQLError(statement: statement) }
            var rows: [MySQLRow] = []
            rows.reserveCapacity(Int(clamping: mysql_stmt_num_rows(statement)))
            while true {
                let status = mysql_stmt_fetch(statement)
                if status == MYSQL_NO_DATA { break }
                guard status == 0 || status == MYSQL_DATA_TRUNCATED else { throw MySQLError(statement: statement) }
                rows.append(MySQLRow(values: try buffers.row(statement)))
            }
            return (rows, rows.count)
        } catch let error as MySQLError {
            throw failure(error)
        }
    }

    /// Notes whether `error` left the connection unusable, and returns it.
    private func failure(_ error: MySQLError) -> MySQLError {
        if error.isClientError || error.isConnectionLost { isBroken = true }
        return error
    }
}

/// Calls `body` with `text` as a C string, or with `nil`.
private func withOptionalCString<R>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let text else { return body(nil) }
    return text.withCString { body($0) }
}
