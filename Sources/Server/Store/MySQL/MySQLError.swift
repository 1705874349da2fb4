import CMariaDB

/// A failure the MariaDB client library reported: the error number (client errors are 2000–2999 and
/// 5000–5999, the server's below 2000 and from 3000), the SQLSTATE when the server sent one, and the
/// message.
struct MySQLError: Error, CustomStringConvertible, Sendable {
    var code: UInt32
    var sqlState: String
    var message: String

    init(code: UInt32, sqlState: String = "", message: String) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
    }

    /// The last error on `handle`.
    init(_ handle: UnsafeMutablePointer<MYSQL>) {
        self.init(
            code: mysql_errno(handle),
            sqlState: mysql_sqlstate(handle).map { String(cString: $0) } ?? "",
            message: mysql_error(handle).map { String(cString: $0) } ?? "unknown error"
        )
    }

    /// The last error of the prepared statement `statement`.
    init(statement: UnsafeMutablePointer<MYSQL_STMT>) {
        self.init(
            code: mysql_stmt_errno(statement),
            sqlState: mysql_stmt_sqlstate(statement).map { String(cString: $0) } ?? "",
            message: mysql_stmt_error(statement).map { String(cString: $0) } ?? "unknown error"
        )
    }

    var description: String {
        let state = sqlState.isEmpty || sqlState == "00000" || sqlState == "HY000" ? "" : ", SQLSTATE \(sqlState)"
        return "\(message) (error \(code)\(state))"
    }

    /// An error of the client library itself (lost connection, timeout, protocol): after one the
    /// connection's state is unknown, so it is closed rather than reused.
    var isClientError: Bool { (2000..<3000).contains(code) || (5000..<6000).contains(code) }

    /// The connection is gone: `CR_SERVER_GONE_ERROR` (2006), `CR_SERVER_LOST` (2013), and the server
    /// saying it killed the session or timed it out (1927 in MariaDB, 4031 in MySQL) or is shutting down.
    var isConnectionLost: Bool {
        [UInt32(CR_SERVER_GONE_ERROR), UInt32(CR_SERVER_LOST), UInt32(CR_SERVER_LOST_EXTENDED), 1053, 1927, 4031, 5013, 5014].contains(code)
    }

    /// The server cannot be reached at all: refused, unknown host, timed out, or TLS failed.
    var isUnreachable: Bool {
        [UInt32(CR_CONNECTION_ERROR), UInt32(CR_CONN_HOST_ERROR), UInt32(CR_UNKNOWN_HOST), UInt32(CR_SSL_CONNECTION_ERROR)].contains(code)
    }

    /// A failure of the connection rather than of the statement: reported as ``StoreError/Kind/io``.
    var isIOError: Bool { isConnectionLost || isUnreachable }

    /// A transaction chosen as a deadlock victim (1213) or that waited too long for a lock (1205): it
    /// was rolled back and can be run again.
    var isRetryableConflict: Bool { code == 1213 || code == 1205 }

    /// A packet or a value over the server's `max_allowed_packet` (1153, 1301, or long data over it).
    var isPacketTooLarge: Bool { code == 1153 || code == 1301 || message.contains("max_allowed_packet") }
}
