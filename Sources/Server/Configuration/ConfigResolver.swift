import Foundation
import LLMTraceModel
import Logging
import Yams

/// Merges settings with the precedence flags > config file > environment > defaults.
///
/// Config files are looked for upward from the working directory, first match wins:
/// `.llmtracerc` (JSON or YAML), `.llmtracerc.json`, `.llmtracerc.yaml`, `.llmtracerc.yml`,
/// `llmtrace.config.json`. `-c/--config FILE` (or `LLMTRACE_CONFIG`) names one directly.
public struct ConfigResolver: Sendable {
    /// Names a config file may have, in the order they are tried in each directory.
    public static let fileNames = [".llmtracerc", ".llmtracerc.json", ".llmtracerc.yaml", ".llmtracerc.yml", "llmtrace.config.json"]

    /// Setting names as they appear in config files (camelCase; kebab-case is accepted too).
    public enum Key: String, CaseIterable, Sendable {
        case mode, host, port, password, db, maxBody, memoryLimit, logLevel, webRoot, shutdownGrace
        case upstreamConnectTimeout, upstreamIdleTimeout, pricing, socket, retain, maxRecords, pruneInterval, dbPool
        case adminDb, jwtSecret, alertInterval, tlsCert, tlsKey, trustedProxy, allowUpstream, upstreamCA
        case maxHeadSize, maxConnectionsPerClient, maxProxyConnectionsPerClient, clientIdleTimeout, keepAliveTimeout
        case captureHost, captureAll, forwardEnv, allowPrivate, caDir
        case metricsPublic, otlpEndpoint, otlpContent

        /// Keys whose value is a list: repeated flags, a config-file array, or commas in one value.
        var isList: Bool { self == .trustedProxy || self == .allowUpstream || self == .captureHost }

        /// The command-line flag, as a message names it: `--max-body`, `--allow-upstream`.
        var flagName: String {
            if self == .upstreamCA { return "--upstream-ca" }
            return "--" + rawValue.reduce(into: "") { s, ch in s += ch.isUppercase ? "-" + ch.lowercased() : String(ch) }
        }

        /// Environment variables for this key, most specific first.
        var environmentNames: [String] {
            let snake = rawValue.reduce(into: "") { s, ch in
                if ch.isUppercase { s += "_" }
                s += ch.uppercased()
            }
            switch self {
            case .port: return ["LLMTRACE_PORT", "PORT"]
            // A database server's URL may come under its own name (the same setting as LLMTRACE_DB).
            case .db: return ["LLMTRACE_DB", "LLMTRACE_POSTGRES_URL", "LLMTRACE_MYSQL_URL"]
            case .adminDb: return ["LLMTRACE_ADMIN_DB", "LLMTRACE_ADMIN_MYSQL_URL"]
            case .jwtSecret: return ["LLMTRACE_JWT_SECRET", "JWT_SECRET"]
            case .trustedProxy: return ["LLMTRACE_TRUSTED_PROXIES", "LLMTRACE_TRUSTED_PROXY"]
            case .allowUpstream: return ["LLMTRACE_ALLOW_UPSTREAMS", "LLMTRACE_ALLOW_UPSTREAM"]
            case .upstreamCA: return ["LLMTRACE_UPSTREAM_CA"]
            case .captureHost: return ["LLMTRACE_CAPTURE_HOSTS", "LLMTRACE_CAPTURE_HOST"]
            // OpenTelemetry's standard variable turns the export on too.
            case .otlpEndpoint: return ["LLMTRACE_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"]
            default: return ["LLMTRACE_\(snake)"]
            }
        }
    }

    /// Values given on the command line, by key; `nil` entries were not given.
    public var flags: [Key: String]
    /// The process environment.
    public var environment: [String: String]
    /// Where the upward search for a config file starts.
    public var workingDirectory: URL
    /// `-c/--config`, when given.
    public var configPath: String?

    public init(flags: [Key: String], environment: [String: String], workingDirectory: URL, configPath: String?) {
        self.flags = flags
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.configPath = configPath
    }

    /// The config file that applies, if any.
    public func configFileURL() throws(ConfigurationError) -> URL? {
        if let explicit = configPath ?? environment["LLMTRACE_CONFIG"] {
            let url = (explicit.hasPrefix("/") ? URL(fileURLWithPath: explicit) : workingDirectory.appendingPathComponent(explicit))
                .standardizedFileURL
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw ConfigurationError("config file \(url.path) does not exist")
            }
            return url
        }
        var dir = workingDirectory.standardizedFileURL
        while true {
            for name in Self.fileNames {
                let candidate = dir.appendingPathComponent(name)
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue {
                    return candidate
                }
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return nil }
            dir = parent
        }
    }

    /// Reads a config file (JSON or YAML) into raw string values by key.
    public static func readConfigFile(_ url: URL) throws(ConfigurationError) -> [Key: String] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ConfigurationError("cannot read config file \(url.path): \(error.localizedDescription)")
        }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return [:] }
        let parsed: Any?
        do { parsed = try Yams.load(yaml: text) } catch {
            throw ConfigurationError("config file \(url.path) is neither valid JSON nor YAML: \(error)")
        }
        guard let dict = parsed as? [String: Any] else {
            throw ConfigurationError("config file \(url.path) must hold an object of settings, such as {\"port\": 8080}")
        }
        var out: [Key: String] = [:]
        for (name, value) in dict {
            let camel = name.split(separator: "-").enumerated().map { $0 == 0 ? String($1) : $1.prefix(1).uppercased() + $1.dropFirst() }.joined()
            let alias: Key? =
                ["database", "postgresUrl", "mysqlUrl"].contains(camel)
                ? .db
                : [
                    "adminMysqlUrl": .adminDb, "trustedProxies": .trustedProxy, "allowUpstreams": .allowUpstream, "upstreamCa": .upstreamCA,
                    "captureHosts": .captureHost,
                ][camel]
            guard let key = Key(rawValue: camel) ?? alias else {
                throw ConfigurationError(
                    "config file \(url.path): unknown setting '\(name)'; known settings: \(Key.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            if value is NSNull { continue }
            if let list = value as? [Any] {
                guard key.isList else {
                    throw ConfigurationError("config file \(url.path): '\(name)' takes one value, not a list")
                }
                out[key] = list.map { "\($0)" }.joined(separator: ",")
            } else {
                out[key] = "\(value)"
            }
        }
        return out
    }

    /// The merged configuration, and the config file it read (if any).
    public func resolve() throws(ConfigurationError) -> (ServerConfiguration, URL?) {
        let file = try configFileURL()
        let fileValues = try file.map { url throws(ConfigurationError) in try Self.readConfigFile(url) } ?? [:]
        let settings = Settings(flags: flags, file: file, fileValues: fileValues, environment: environment)
        var c = ServerConfiguration()
        try Self.applyServer(settings, to: &c)
        try Self.applyStorage(settings, to: &c)
        try Self.applyTimeouts(settings, to: &c)
        try Self.applyClientLimits(settings, to: &c)
        try Self.applyShared(settings, to: &c)
        return (c, file)
    }

    /// Every source of settings, asked in order of precedence.
    struct Settings {
        var flags: [Key: String]
        var file: URL?
        var fileValues: [Key: String]
        var environment: [String: String]

        /// The value in force for `key` and where it came from (for messages), or `nil` when none was given.
        func value(_ key: Key) -> (String, String)? {
            if let v = flags[key] { return (v, key.flagName) }
            if let v = fileValues[key] { return (v, "'\(key.rawValue)' in \(file?.lastPathComponent ?? "config file")") }
            for name in key.environmentNames {
                if let v = environment[name], !v.isEmpty { return (v, name) }
            }
            return nil
        }
    }

    /// Mode, listening address, password, logging, web root, pricing and the unix socket.
    private static func applyServer(_ settings: Settings, to c: inout ServerConfiguration) throws(ConfigurationError) {
        if let (v, from) = settings.value(.mode) {
            guard v == "local" || v == "shared" else {
                throw ConfigurationError("\(from): mode '\(v)' is not known; use 'local' (no accounts) or 'shared' (teams and accounts)")
            }
            c.mode = v
        }
        if let (v, _) = settings.value(.host) { c.host = v }
        if let (v, from) = settings.value(.port) {
            guard let p = Int(v), (0...65535).contains(p) else { throw ConfigurationError("\(from): port '\(v)' is not a number from 0 to 65535") }
            c.port = p
        }
        if let (v, _) = settings.value(.password), !v.isEmpty { c.password = v }
        if let (v, from) = settings.value(.logLevel) {
            guard let level = Logger.Level(rawValue: v.lowercased()) else {
                throw ConfigurationError("\(from): log level '\(v)' is not one of trace, debug, info, notice, warning, error, critical")
            }
            c.logLevel = level
        }
        if let (v, _) = settings.value(.webRoot) { c.webRoot = v }
        if let (v, _) = settings.value(.pricing) { c.pricingFile = v }
        if let (v, _) = settings.value(.socket) {
            // `--no-socket` arrives as an empty value; so does `socket: ""` or `socket: none` in a file.
            c.socketPath = (v.isEmpty || v == "none" || v == "false") ? nil : v
        } else {
            c.socketPath = SocketPath.defaultPath(environment: settings.environment)
        }
        try applyTLS(settings, to: &c)
        try applyNetwork(settings, to: &c)
        try applyForwardProxy(settings, to: &c)
        try applyObservability(settings, to: &c)
    }

    /// `/metrics` access and the OpenTelemetry export.
    private static func applyObservability(_ settings: Settings, to c: inout ServerConfiguration) throws(ConfigurationError) {
        if let (v, from) = settings.value(.metricsPublic) { c.metricsPublic = try flag(v, from: from) }
        if let (v, from) = settings.value(.otlpEndpoint), !v.isEmpty {
            guard let url = URL(string: v), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
                throw ConfigurationError(
                    "\(from): '\(v)' is not an OTLP/HTTP endpoint; give the collector's base URL, as in http://127.0.0.1:4318 (llmtrace adds /v1/traces and /v1/metrics)"
                )
            }
            c.otlpEndpoint = v
        }
        if let (v, from) = settings.value(.otlpContent) { c.otlpContent = try flag(v, from: from) }
    }

    /// The forward proxy: hosts to decrypt, their env, private addresses, the CA's directory.
    private static func applyForwardProxy(_ settings: Settings, to c: inout ServerConfiguration) throws(ConfigurationError) {
        if let (v, from) = settings.value(.captureHost) {
            c.forwardProxy.captureHosts = list(v)
            if let bad = c.forwardProxy.captureHosts.first(where: { $0.contains("/") || $0.contains(":") || $0.dropFirst(2).contains("*") }) {
                throw ConfigurationError("\(from): '\(bad)' is not a host name or '*.' and a domain, as in api.example.com or *.example.com")
            }
        }
        if let (v, from) = settings.value(.captureAll) { c.forwardProxy.captureAll = try flag(v, from: from) }
        if let (v, from) = settings.value(.allowPrivate) { c.forwardProxy.allowPrivate = try flag(v, from: from) }
        if let (v, from) = settings.value(.forwardEnv) {
            guard !v.isEmpty, v.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw ConfigurationError("\(from): env '\(v)' may hold only letters, digits, '-', '_' and '.'")
            }
            c.forwardProxy.env = v
        }
        if let (v, _) = settings.value(.caDir), !v.isEmpty { c.forwardProxy.caDirectory = v }
    }

    /// A yes/no setting: a flag given on the command line arrives as "true".
    private static func flag(_ v: String, from: String) throws(ConfigurationError) -> Bool {
        switch v.lowercased() {
        case "true", "1", "yes", "on", "": return true
        case "false", "0", "no", "off": return false
        default: throw ConfigurationError("\(from): '\(v)' is not true or false")
        }
    }

    /// The reverse proxies whose forwarded-for headers count, and the upstream policy's allow list.
    private static func applyNetwork(_ settings: Settings, to c: inout ServerConfiguration) throws(ConfigurationError) {
        if let (v, from) = settings.value(.trustedProxy) {
            c.trustedProxies = []
            for item in list(v) {
                guard let network = IPNetwork(item) else {
                    throw ConfigurationError(
                        "\(from): '\(item)' is not an address or CIDR block; give the reverse proxy's address, as in 127.0.0.1, 10.0.0.0/8 or ::1"
                    )
                }
                c.trustedProxies.append(network)
            }
        }
        if let (v, from) = settings.value(.allowUpstream) {
            do {
                c.allowUpstreams = try list(v).map { item throws(UpstreamPatternError) in try UpstreamPattern(item) }
            } catch {
                throw ConfigurationError("\(from): \(error.message)")
            }
        }
    }

    /// The items of a list value: split at commas and white space, empty ones dropped.
    static func list(_ v: String) -> [String] {
        v.split { $0 == "," || $0.isWhitespace }.map(String.init)
    }

    /// The certificate and key HTTPS is served with (both or neither), and the CAs upstreams may be signed by.
    private static func applyTLS(_ settings: Settings, to c: inout ServerConfiguration) throws(ConfigurationError) {
        if let (path, from) = settings.value(.upstreamCA), !path.isEmpty {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw ConfigurationError("\(from): cannot read the CA certificate file '\(path)'")
            }
            c.upstreamCAPath = path
        }
        let cert = settings.value(.tlsCert).flatMap { $0.0.isEmpty ? nil : $0 }
        let key = settings.value(.tlsKey).flatMap { $0.0.isEmpty ? nil : $0 }
        switch (cert, key) {
        case (nil, nil): return
        case (let (certPath, _)?, let (keyPath, _)?):
            c.tlsCertificatePath = certPath
            c.tlsKeyPath = keyPath
        case (let (_, from)?, nil):
            throw ConfigurationError("\(from) needs --tls-key (or LLMTRACE_TLS_KEY) too: HTTPS needs the certificate's private key")
        case (nil, let (_, from)?):
            throw ConfigurationError("\(from) needs --tls-cert (or LLMTRACE_TLS_CERT) too: HTTPS needs the certificate the key belongs to")
        }
    }

    /// The database, body and memory limits, and retention.
    private static func applyStorage(_ settings: Settings, to c: inout ServerConfiguration) throws(ConfigurationError) {
        if let (v, _) = settings.value(.db) { c.database = v }
        if let (v, from) = settings.value(.dbPool) {
            guard let n = Int(v.trimmingCharacters(in: .whitespaces)), n > 0 else {
                throw ConfigurationError("\(from): database pool size '\(v)' must be a positive number of connections")
            }
            c.databasePoolSize = n
        }
        if let (v, from) = settings.value(.maxBody) {
            guard let n = parseByteSize(v) else {
                throw ConfigurationError("\(from): '\(v)' is not a size; use bytes or a unit, as in 10MiB, 512KB, 1048576")
            }
            c.maxBodyBytes = n
        }
        if let (v, from) = settings.value(.memoryLimit) {
            guard let n = Int(v), n > 0 else { throw ConfigurationError("\(from): memory limit '\(v)' must be a positive number of records") }
            c.memoryLimit = n
        }
        if let (v, from) = settings.value(.retain) {
            guard let seconds = Retention.parsePeriod(v) else {
                throw ConfigurationError("\(from): '\(v)' is not a retention period; use a number and a unit, as in 12h, 30d or 4w (s, m, h, d, w)")
            }
            c.retainSeconds = seconds
        }
        if let (v, from) = settings.value(.maxRecords) {
            guard let n = Int(v.trimmingCharacters(in: .whitespaces)), n > 0 else {
                throw ConfigurationError("\(from): max records '\(v)' must be a positive whole number of records")
            }
            c.maxRecords = n
        }
        if let (v, from) = settings.value(.pruneInterval) {
            let seconds = try Self.seconds(v, from: from)
            guard seconds > 0 else { throw ConfigurationError("\(from): the prune interval must be more than 0 seconds") }
            c.pruneIntervalSeconds = seconds
        }
    }

    /// What a client connection is held to: head size, connections per address, idle timeout.
    private static func applyClientLimits(_ settings: Settings, to c: inout ServerConfiguration) throws(ConfigurationError) {
        if let (v, from) = settings.value(.maxHeadSize) {
            guard let n = parseByteSize(v), n >= 1024 else {
                throw ConfigurationError("\(from): '\(v)' is not a size of at least 1KiB; use bytes or a unit, as in 64KiB, 1MiB, 65536")
            }
            c.maxHeadBytes = n
        }
        if let (v, from) = settings.value(.maxConnectionsPerClient) {
            c.maxConnectionsPerClient = try connectionCount(v, from: from)
        }
        if let (v, from) = settings.value(.maxProxyConnectionsPerClient) {
            c.maxProxyConnectionsPerClient = try connectionCount(v, from: from)
        }
        if let (v, from) = settings.value(.clientIdleTimeout) { c.clientIdleTimeoutSeconds = try Self.seconds(v, from: from) }
        if let (v, from) = settings.value(.keepAliveTimeout) { c.keepAliveTimeoutSeconds = try Self.seconds(v, from: from) }
    }

    /// A connection limit: a whole number, 0 for none.
    private static func connectionCount(_ v: String, from: String) throws(ConfigurationError) -> Int {
        guard let n = Int(v.trimmingCharacters(in: .whitespaces)), n >= 0 else {
            throw ConfigurationError("\(from): '\(v)' is not a number of connections; give a whole number, or 0 for no limit")
        }
        return n
    }

    /// Shared mode: the database servers it needs, the admin database and the JWT secret.
    private static func applyShared(_ settings: Settings, to c: inout ServerConfiguration) throws(ConfigurationError) {
        if let (v, _) = settings.value(.adminDb) { c.adminDatabase = v }
        if let (v, from) = settings.value(.alertInterval) {
            let seconds = try Self.seconds(v, from: from)
            guard seconds > 0 else { throw ConfigurationError("\(from): the alert interval must be more than 0 seconds") }
            c.alertIntervalSeconds = seconds
        }
        if let (v, _) = settings.value(.jwtSecret) { c.jwtSecret = v }
        c.bootstrapEmail = settings.environment["LLMTRACE_BOOTSTRAP_EMAIL"].flatMap { $0.isEmpty ? nil : $0 }
        c.bootstrapPassword = settings.environment["LLMTRACE_BOOTSTRAP_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        // Not a listed setting: only tests shorten access tokens, to see clients refresh them.
        if let v = settings.environment["LLMTRACE_ACCESS_TOKEN_TTL"], !v.isEmpty {
            let seconds = try Self.seconds(v, from: "LLMTRACE_ACCESS_TOKEN_TTL")
            guard seconds >= 1 else { throw ConfigurationError("LLMTRACE_ACCESS_TOKEN_TTL: access tokens must live at least 1 second") }
            c.accessTokenLifetime = seconds
        }
        guard c.isShared else { return }
        let from = settings.value(.mode)?.1 ?? "--mode"
        guard DatabaseURL.isURL(c.database) else {
            let what = c.database == ":memory:" || c.database.isEmpty ? "memory" : "the SQLite file \(c.database)"
            throw ConfigurationError(
                "\(from): mode 'shared' keeps teams and their traffic on a database server, not in \(what): give --db postgres://user:password@host:5432/database or --db mysql://user:password@host:3306/database"
            )
        }
        guard DatabaseURL.isURL(c.adminDatabaseURL) else {
            throw ConfigurationError(
                "--admin-db: '\(DatabaseURL.redacted(c.adminDatabaseURL))' is not a PostgreSQL or MySQL URL; accounts are kept on a database server (postgres://… or mysql://…)"
            )
        }
        if let secret = c.jwtSecret, secret.utf8.count < AccessTokens.minimumSecretBytes {
            throw ConfigurationError(
                "the JWT secret (--jwt-secret, JWT_SECRET or LLMTRACE_JWT_SECRET) has \(secret.utf8.count) bytes; it needs at least \(AccessTokens.minimumSecretBytes): generate one with `openssl rand -base64 48`, or give none and llmtrace keeps a generated one in the admin database"
            )
        }
    }

    /// Shutdown grace and the upstream timeouts.
    private static func applyTimeouts(_ settings: Settings, to c: inout ServerConfiguration) throws(ConfigurationError) {
        if let (v, from) = settings.value(.shutdownGrace) { c.shutdownGraceSeconds = try Self.seconds(v, from: from) }
        if let (v, from) = settings.value(.upstreamConnectTimeout) { c.upstreamConnectTimeoutSeconds = try Self.seconds(v, from: from) }
        if let (v, from) = settings.value(.upstreamIdleTimeout) { c.upstreamIdleTimeoutSeconds = try Self.seconds(v, from: from) }
    }

    private static func seconds(_ v: String, from: String) throws(ConfigurationError) -> Double {
        let trimmed = v.hasSuffix("s") ? String(v.dropLast()) : v
        guard let n = Double(trimmed), n >= 0, n.isFinite else { throw ConfigurationError("\(from): '\(v)' is not a number of seconds") }
        return n
    }

    /// Parses `1048576`, `512KB`, `512KiB`, `10MB`, `10MiB`, `1G` (units are powers of 1024).
    public static func parseByteSize(_ s: String) -> Int? {
        let t = s.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = t.prefix { $0.isNumber }
        guard let n = Int(digits), n >= 0 else { return nil }
        let unit = t.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        let mult: Int
        switch unit {
        case "", "b": mult = 1
        case "k", "kb", "kib": mult = 1 << 10
        case "m", "mb", "mib": mult = 1 << 20
        case "g", "gb", "gib": mult = 1 << 30
        default: return nil
        }
        let (r, overflow) = n.multipliedReportingOverflow(by: mult)
        return overflow ? nil : r
    }
}
