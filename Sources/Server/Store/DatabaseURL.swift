import Foundation

/// A database server named by URL (`--db postgres://user:password@host:5432/name?sslmode=disable`), with a
/// ``description`` that never shows the password: `postgres://user:***@host:5432/name`.
public struct DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    /// Which server the URL names.
    public enum Engine: String, Sendable {
        case postgres
        case mysql
    }

    /// How the connection is encrypted (`sslmode` for PostgreSQL, `ssl-mode` for MySQL).
    public enum TLSMode: String, Sendable {
        case disable
        case require
        case verifyFull = "verify-full"
    }

    public var engine: Engine
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var tls: TLSMode
    /// Seconds to wait for a connection (`connect_timeout`).
    public var connectTimeoutSeconds: Double
    /// Most connections open at once (`pool`, or `--db-pool`).
    public var poolSize: Int
    /// A PEM file of the certificate authorities to trust for the server's certificate (`sslrootcert`,
    /// `ssl-ca`), instead of the system's.
    public var rootCertificatePath: String?
    /// PostgreSQL: the schema holding llmtrace's tables (`schema`), created if missing; `nil` for `public`.
    public var schema: String?

    /// Whether `text` is a database URL rather than a file path or `:memory:`.
    public static func isURL(_ text: String) -> Bool {
        ["postgres://", "postgresql://", "mysql://", "mariadb://"].contains { text.lowercased().hasPrefix($0) }
    }

    /// Parses a URL; the error names what is wrong without repeating the password.
    public init(_ text: String) throws(StoreError) {
        let scheme = text.prefix { $0 != ":" }.lowercased()
        switch scheme {
        case "postgres", "postgresql": engine = .postgres
        case "mysql", "mariadb": engine = .mysql
        default: throw StoreError("'\(scheme)' is not a database URL scheme; use postgres://, postgresql:// or mysql://")
        }
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw StoreError(
                "cannot read the database URL \(Self.redacted(text)); the form is \(scheme)://user:password@host:port/database (percent-encode special characters in the password)"
            )
        }
        guard let user = components.user?.removingPercentEncoding, !user.isEmpty else {
            throw StoreError("the database URL \(Self.redacted(text)) names no user; the form is \(scheme)://user:password@host:port/database")
        }
        self.user = user
        self.password = components.password?.removingPercentEncoding
        self.host = host
        self.port = components.port ?? (engine == .postgres ? 5432 : 3306)
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.isEmpty, !path.contains("/") else {
            throw StoreError(
                "the database URL \(Self.redacted(text)) names no database; add it after the host, as in \(scheme)://user:***@\(host)/llmtrace"
            )
        }
        self.database = path.removingPercentEncoding ?? path
        self.tls = .disable
        self.connectTimeoutSeconds = 10
        self.poolSize = 10
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name.lowercased() {
            case "sslmode", "ssl-mode", "ssl_mode":
                switch value.lowercased() {
                case "disable", "disabled": tls = .disable
                case "require", "required": tls = .require
                case "verify-full", "verify_identity", "verify-identity": tls = .verifyFull
                default: throw StoreError("\(item.name)=\(value) in the database URL is not one of disable, require, verify-full")
                }
            case "connect_timeout", "connect-timeout":
                guard let seconds = Double(value), seconds > 0, seconds.isFinite else {
                    throw StoreError("connect_timeout=\(value) in the database URL must be a positive number of seconds")
                }
                connectTimeoutSeconds = seconds
            case "pool", "pool_size", "pool-size":
                guard let n = Int(value), n > 0 else {
                    throw StoreError("pool=\(value) in the database URL must be a positive number of connections")
                }
                poolSize = n
            case "sslrootcert", "ssl-ca", "ssl_ca":
                guard !value.isEmpty else { throw StoreError("\(item.name)= in the database URL needs the path of a PEM file") }
                rootCertificatePath = value
            case "schema":
                guard engine == .postgres else {
                    throw StoreError("schema= in the database URL is for PostgreSQL; in MySQL the database is the schema")
                }
                guard !value.isEmpty, value.count <= 40, value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                    throw StoreError("schema=\(value) in the database URL must be 1 to 40 letters, digits and _")
                }
                schema = value
            default:
                throw StoreError(
                    "unknown option '\(item.name)' in the database URL; known: sslmode (ssl-mode), sslrootcert (ssl-ca), connect_timeout, pool, schema"
                )
            }
        }
    }

    /// The URL with the password replaced by `***`, for logs, `/api/health` and errors.
    public var description: String {
        var text = "\(engine == .postgres ? "postgres" : "mysql")://\(user)"
        if password != nil { text += ":***" }
        text += "@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
        if let schema { text += "?schema=\(schema)" }
        return text
    }

    /// `text` with any password between `user:` and `@` replaced by `***`, for messages about a URL
    /// that could not be parsed.
    public static func redacted(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://") else { return text }
        let rest = text[schemeEnd.upperBound...]
        guard let at = rest.lastIndex(of: "@") else { return text }
        let credentials = rest[..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<schemeEnd.upperBound]) + credentials[..<colon] + ":***" + rest[at...]
    }
}
