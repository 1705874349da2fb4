import LLMTraceModel

/// A parsed proxy route: `/proxy/{env}/{scheme}/{host[:port]}/{path...}?{query}`, where the environment
/// segment may also name a session (`{env}+{session}`) and, in shared mode, an ingest key (`…:{key}`).
///
/// Parsing works on the raw request target, so the upstream path keeps empty segments (`//`),
/// trailing slashes and percent-encoding exactly as the client sent them.
public struct ProxyRoute: Sendable, Equatable {
    public var env: String
    /// `http` or `https`.
    public var scheme: String
    /// Host name or IP literal (IPv6 without brackets).
    public var host: String
    /// Explicit port, when the route named one.
    public var port: Int?
    /// Upstream path, starting with `/`.
    public var path: String
    /// Query string without `?`, or `nil` when there was none.
    public var query: String?
    /// The environment's ingest key, when the route gave one as `/proxy/{env}:{key}/…` (shared mode).
    /// Never part of the upstream URL.
    public var ingestKey: String?
    /// The session the route named (`/proxy/{env}+{session}/…`), or the client's `x-llmtrace-session`
    /// header; never part of the upstream URL.
    public var session: String?

    public init(
        env: String,
        scheme: String,
        host: String,
        port: Int? = nil,
        path: String,
        query: String? = nil,
        ingestKey: String? = nil,
        session: String? = nil
    ) {
        self.ingestKey = ingestKey
        self.session = session
        self.env = env
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
        self.query = query
    }

    /// The route's `host[:port]` as written in a URL (IPv6 in brackets).
    public var authority: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port.map { "\(h):\($0)" } ?? h
    }

    /// The port connected to: the route's, or the scheme's default.
    public var connectPort: Int { port ?? (scheme == "https" ? 443 : 80) }

    /// The upstream path and query as a request line names them (`/v1/models?x=1`).
    public var requestTarget: String { path + (query.map { "?\($0)" } ?? "") }

    /// The upstream URL to forward to.
    public var upstreamURL: String { "\(scheme)://\(authority)\(requestTarget)" }

    /// The prefix every proxy route starts with.
    public static let prefix = "/proxy/"

    /// Parses a raw request target such as `/proxy/dev/https/api.openai.com/v1/chat/completions?x=1`.
    public static func parse(_ target: String) throws(ProxyRouteError) -> ProxyRoute {
        var rest = Substring(target)
        var query: String?
        if let q = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: q)...])
            rest = rest[..<q]
        }
        guard rest.hasPrefix(prefix) else { throw .notAProxyRoute }
        rest = rest.dropFirst(prefix.count)

        var env = takeSegment(&rest)
        var ingestKey: String?
        if let colon = env.firstIndex(of: ":") {
            ingestKey = String(env[env.index(after: colon)...])
            env = env[..<colon]
        }
        var session: String?
        if let plus = env.firstIndex(of: "+") {
            session = try checkedSession(env[env.index(after: plus)...])
            env = env[..<plus]
        }
        guard !env.isEmpty else { throw .missing("environment", expected: "/proxy/{env}/{scheme}/{host}/{path}") }
        guard env.count <= 64, env.utf8.allSatisfy(isEnvByte) else { throw .invalidEnv(String(env)) }

        let scheme = takeSegment(&rest)
        guard !scheme.isEmpty else { throw .missing("scheme", expected: "http or https after the environment") }
        guard scheme == "http" || scheme == "https" else { throw .invalidScheme(String(scheme)) }

        let authority = takeSegment(&rest)
        guard !authority.isEmpty else { throw .missing("host", expected: "a host name or IP literal after the scheme") }
        let (host, port) = try parseAuthority(decodingBrackets(authority))

        let path = rest.isEmpty ? "/" : "/" + rest
        return ProxyRoute(
            env: String(env),
            scheme: String(scheme),
            host: host,
            port: port,
            path: String(path),
            query: query,
            ingestKey: ingestKey,
            session: session
        )
    }

    /// The longest session id a route or header may give.
    public static let maxSessionLength = 128

    /// `value` as a session id: 1 to ``maxSessionLength`` characters of A-Z, a-z, 0-9, `_`, `.`, `-`.
    public static func checkedSession(_ value: Substring) throws(ProxyRouteError) -> String {
        guard !value.isEmpty, value.utf8.count <= maxSessionLength, value.utf8.allSatisfy(isEnvByte) else {
            throw .invalidSession(String(value))
        }
        return String(value)
    }

    /// `target` with the ingest key of its environment segment (`/proxy/{env}:{key}/…`) shown as `***`:
    /// how a target that did not parse is recorded.
    public static func redactingKey(_ target: String) -> String {
        guard target.hasPrefix(prefix) else { return target }
        let segment = target.dropFirst(prefix.count).prefix { $0 != "/" && $0 != "?" }
        guard let colon = segment.firstIndex(of: ":") else { return target }
        return String(target[..<segment.index(after: colon)]) + "***" + target[segment.endIndex...]
    }

    /// The authority with `%5B`, `%5D` and `%3A` decoded: clients percent-encode an IPv6 literal's
    /// brackets (and some its colons) in a path, as RFC 3986 asks.
    private static func decodingBrackets(_ a: Substring) -> Substring {
        guard a.contains("%") else { return a }
        var out = ""
        var i = a.startIndex
        while i < a.endIndex {
            let next3 = a[i...].prefix(3).uppercased()
            if let decoded = ["%5B": "[", "%5D": "]", "%3A": ":"][next3] {
                out += decoded
                i = a.index(i, offsetBy: 3)
            } else {
                out.append(a[i])
                i = a.index(after: i)
            }
        }
        return Substring(out)
    }

    private static func takeSegment(_ s: inout Substring) -> Substring {
        if let slash = s.firstIndex(of: "/") {
            let seg = s[..<slash]
            s = s[s.index(after: slash)...]
            return seg
        }
        let seg = s
        s = s[s.endIndex...]
        return seg
    }

    private static func isEnvByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2E || b == 0x2D
    }

    /// `host[:port]` (an IPv6 host in brackets, which are dropped), the host checked as a route's is.
    public static func parseAuthority(_ a: Substring) throws(ProxyRouteError) -> (String, Int?) {
        var hostPart: Substring
        var portPart: Substring?
        if a.hasPrefix("[") {
            guard let close = a.firstIndex(of: "]") else { throw .invalidHost(String(a), reason: "unclosed '[' in IPv6 literal") }
            hostPart = a[a.index(after: a.startIndex)..<close]
            let after = a[a.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalidHost(String(a), reason: "unexpected text after ']'") }
                portPart = after.dropFirst()
            }
            guard isIPv6(hostPart) else { throw .invalidHost(String(a), reason: "not a valid IPv6 address") }
        } else {
            if let colon = a.firstIndex(of: ":") {
                hostPart = a[..<colon]
                portPart = a[a.index(after: colon)...]
            } else {
                hostPart = a
            }
            guard !hostPart.isEmpty else { throw .invalidHost(String(a), reason: "the host name is empty") }
            guard hostPart.utf8.count <= 253 else { throw .invalidHost(String(a.prefix(40)) + "…", reason: "longer than 253 characters") }
            if let reason = hostnameProblem(hostPart) { throw .invalidHost(String(a), reason: reason) }
        }
        var port: Int?
        if let p = portPart {
            guard !p.isEmpty, p.count <= 5, p.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int(p), (1...65535).contains(n) else {
                throw .invalidPort(String(p))
            }
            port = n
        }
        return (String(hostPart), port)
    }

    /// `nil` when `h` is a valid DNS host name or IPv4 literal, else what is wrong with it.
    private static func hostnameProblem(_ h: Substring) -> String? {
        var labels = h.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count > 1, labels.last?.isEmpty == true { labels.removeLast() }  // trailing dot (FQDN)
        for label in labels {
            if label.isEmpty { return "it has an empty label ('..')" }
            if label.utf8.count > 63 { return "a label is longer than 63 characters" }
            if label.hasPrefix("-") || label.hasSuffix("-") { return "a label starts or ends with '-'" }
            let ok = label.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F
            }
            if !ok { return "it contains characters not allowed in a host name" }
        }
        let numeric = labels.allSatisfy { $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        if numeric {
            guard labels.count == 4, labels.allSatisfy({ ($0.count <= 3) && (Int($0) ?? 256) <= 255 }) else {
                return "not a valid IPv4 address"
            }
        }
        return nil
    }

    private static func isIPv6(_ s: Substring) -> Bool {
        guard !s.isEmpty, s.count <= 45, s.contains(":") else { return false }
        let allowed = s.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66) || b == 0x3A || b == 0x2E
        }
        guard allowed else { return false }
        let groups = s.split(separator: ":", omittingEmptySubsequences: false)
        return groups.count >= 3 && groups.count <= 9 && groups.allSatisfy { $0.count <= 4 || $0.contains(".") }
            && s.components(separatedBy: "::").count <= 2
    }
}

/// Why a path under `/proxy/` is not a valid proxy route. `message` says what is wrong and what was expected.
public enum ProxyRouteError: Error, Sendable, Equatable, CustomStringConvertible {
    case notAProxyRoute
    case missing(String, expected: String)
    case invalidEnv(String)
    case invalidSession(String)
    case invalidScheme(String)
    case invalidHost(String, reason: String)
    case invalidPort(String)

    public var message: String {
        switch self {
        case .notAProxyRoute:
            return "the path does not start with /proxy/"
        case .missing(let part, let expected):
            return "the route is missing its \(part): expected \(expected), as in /proxy/dev/https/api.openai.com/v1/chat/completions"
        case .invalidEnv(let env):
            return "invalid environment '\(env.prefix(80))': use 1 to 64 characters of A-Z, a-z, 0-9, '_', '.' or '-'"
        case .invalidSession(let session):
            return
                "invalid session '\(session.prefix(80))': use 1 to \(ProxyRoute.maxSessionLength) characters of A-Z, a-z, 0-9, '_', '.' or '-' (in /proxy/{env}+{session}/… or the x-llmtrace-session header)"
        case .invalidScheme(let s):
            return "invalid scheme '\(s.prefix(40))': use http or https"
        case .invalidHost(let h, let reason):
            return "invalid host '\(h.prefix(100))': \(reason)"
        case .invalidPort(let p):
            return "invalid port '\(p.prefix(20))': use a number from 1 to 65535"
        }
    }

    public var description: String { message }
}
