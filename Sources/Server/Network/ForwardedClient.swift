import HTTPTypes

/// Who a request comes from: the connection's peer, or, when the peer is a trusted reverse proxy
/// (`--trusted-proxy`), the client that proxy names in `X-Forwarded-For` (with `X-Forwarded-Proto`)
/// or in RFC 7239 `Forwarded`.
///
/// The forwarded list is walked from the right (the hop nearest llmtrace) to the left: each address
/// that is itself a trusted proxy hands the question on to the one before it, and the first address
/// that is not trusted is the client. Everything left of it was written by the client and is never
/// believed, so a client that sends its own `X-Forwarded-For` through a proxy that appends to it
/// gains nothing. From a peer that is not trusted the headers are ignored entirely.
///
/// `X-Forwarded-For` is read when the request has it, `Forwarded` only when it has not: nginx, Caddy,
/// Traefik, HAProxy's `option forwardfor`, Envoy and the cloud load balancers set `X-Forwarded-For`
/// and pass a client's own `Forwarded` through untouched, so believing `Forwarded` first would let
/// any client behind them name itself.
///
/// A hop that names no address (`unknown`, an obfuscated `_identifier`, a malformed entry) ends the
/// walk: the trusted proxy that reported it stands for the client. A `Forwarded` header that does not
/// parse is ignored as a whole (the peer is the client).
public struct ForwardedClient: Sendable, Equatable, CustomStringConvertible {
    /// The client's address: the peer's, or the one a trusted proxy forwarded. `nil` when the
    /// connection has no IP address (the unix socket).
    public var address: IPAddress?
    /// The scheme the client used (`http` or `https`) as a trusted proxy reported it; `nil` when no
    /// trusted proxy said (the connection's own scheme then applies).
    public var scheme: String?

    /// The connection's own peer, nothing forwarded.
    public init(peer: IPAddress?) {
        address = peer
        scheme = nil
    }

    /// The client of a request from `peer` with these `headers`, believing the forwarding headers only
    /// when `peer` lies in one of `trustedProxies`.
    public init(peer: IPAddress?, trustedProxies: [IPNetwork], headers: HTTPFields) {
        guard !trustedProxies.isEmpty else {
            self.init(peer: peer)
            return
        }
        self.init(
            peer: peer,
            trustedProxies: trustedProxies,
            xForwardedFor: headers[values: Self.xForwardedFor],
            xForwardedProto: headers[values: Self.xForwardedProto],
            forwarded: headers[values: Self.forwarded]
        )
    }

    /// The client of a request from `peer` whose forwarding header fields (each field line's value, in
    /// the order they came) are these.
    public init(peer: IPAddress?, trustedProxies: [IPNetwork], xForwardedFor: [String], xForwardedProto: [String], forwarded: [String]) {
        self.init(peer: peer)
        guard let peer, Self.isTrusted(peer, trustedProxies) else { return }
        let forList = Self.listItems(xForwardedFor)
        let protoList = Self.listItems(xForwardedProto)
        let hops: [Hop]
        let fallbackScheme: String?
        if !forList.isEmpty {
            // Proxies that append to both lists keep them aligned; one that overwrites the protocol
            // (nginx's `X-Forwarded-Proto $scheme`) leaves one value, for the connection into the nearest proxy.
            let aligned = protoList.count == forList.count
            hops = forList.enumerated().map { i, item in
                Hop(address: Self.xForwardedForNode(item), scheme: aligned ? Self.scheme(protoList[i]) : nil)
            }
            fallbackScheme = aligned ? nil : protoList.last.flatMap(Self.scheme)
        } else if !forwarded.isEmpty {
            guard let parsed = Self.forwardedHops(forwarded) else { return }  // malformed: the peer is the client
            hops = parsed
            fallbackScheme = nil
        } else {
            hops = []
            fallbackScheme = protoList.last.flatMap(Self.scheme)
        }
        var client = peer
        var last: Hop?
        for hop in hops.reversed() {
            last = hop
            // No address: the trusted proxy that wrote this hop stands for its client.
            guard let address = hop.address else { break }
            client = address
            if !Self.isTrusted(address, trustedProxies) { break }
        }
        address = client
        // The scheme of the hop the walk ended on: what the client used to reach the outermost trusted proxy.
        scheme = last?.scheme ?? fallbackScheme
    }

    /// `203.0.113.7`, `203.0.113.7 (https)`, or `-` without an address.
    public var description: String {
        (address?.description ?? "-") + (scheme.map { " (\($0))" } ?? "")
    }

    // MARK: Parsing

    static let xForwardedFor = HTTPField.Name("x-forwarded-for")!
    static let xForwardedProto = HTTPField.Name("x-forwarded-proto")!
    static let forwarded = HTTPField.Name("forwarded")!

    /// One proxy hop as a forwarding header reports it: its client's address (`nil` when it names
    /// none) and the scheme that client used.
    struct Hop: Equatable {
        var address: IPAddress?
        var scheme: String?
    }

    static func isTrusted(_ address: IPAddress, _ networks: [IPNetwork]) -> Bool {
        networks.contains { $0.contains(address) }
    }

    /// The comma-separated items of every field line, in order, trimmed (an empty item stays, as a hop
    /// that names nothing).
    static func listItems(_ lines: [String]) -> [Substring] {
        var items: [Substring] = []
        for line in lines where !line.allSatisfy(\.isOptionalWhitespace) {
            items += line.split(separator: ",", omittingEmptySubsequences: false).map(\.trimmed)
        }
        return items
    }

    /// `http` or `https` (any case); `nil` for anything else.
    static func scheme(_ text: Substring) -> String? {
        let lower = text.trimmed.lowercased()
        return lower == "http" || lower == "https" ? lower : nil
    }

    /// An `X-Forwarded-For` item: `192.0.2.1`, `2001:db8::1`, `[2001:db8::1]`, and with a port
    /// (`192.0.2.1:4711`, `[2001:db8::1]:4711`), which some proxies add.
    static func xForwardedForNode(_ item: Substring) -> IPAddress? {
        var text = item.trimmed
        if text.count >= 2, text.first == "\"", text.last == "\"" { text = text.dropFirst().dropLast() }
        return node(text)
    }

    /// An address with an optional port: `192.0.2.1`, `192.0.2.1:80`, `[2001:db8::1]`,
    /// `[2001:db8::1]:80`, or a bare `2001:db8::1`. `nil` for anything else (names, `unknown`, `_hidden`).
    static func node(_ text: Substring) -> IPAddress? {
        // Visible ASCII only: the C parser behind IPAddress would stop at a NUL and read what came before.
        guard !text.isEmpty, text.utf8.count <= 100, text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        if text.first == "[" {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || (rest.first == ":" && isPort(rest.dropFirst())) else { return nil }
            let inner = text[text.index(after: text.startIndex)..<close]
            guard inner.contains(":"), let address = IPAddress(inner) else { return nil }
            return address
        }
        let colons = text.filter { $0 == ":" }.count
        if colons == 1, let colon = text.firstIndex(of: ":") {
            guard isPort(text[text.index(after: colon)...]), let address = IPAddress(text[..<colon]), address.isIPv4 else { return nil }
            return address
        }
        return IPAddress(text)
    }

    /// A port (digits, 1–65535) or an obfuscated one (`_abc`), as RFC 7239 allows.
    private static func isPort(_ text: Substring) -> Bool {
        if text.first == "_" { return text.count > 1 && text.dropFirst().allSatisfy(\.isObfuscatedCharacter) }
        guard (1...5).contains(text.count), text.allSatisfy(\.isASCIIDigit), let n = Int(text) else { return false }
        return (1...65535).contains(n)
    }

    /// The hops of RFC 7239 `Forwarded` field lines (`for=192.0.2.60;proto=https, for="[2001:db8::17]:4711"`),
    /// or `nil` when they do not parse: a pair without `=`, an unterminated quoted string, a
    /// parameter given twice in one element.
    static func forwardedHops(_ lines: [String]) -> [Hop]? {
        var hops: [Hop] = []
        for line in lines {
            guard let elements = forwardedElements(line) else { return nil }
            for element in elements {
                hops.append(Hop(address: element["for"].flatMap { node($0[...]) }, scheme: element["proto"].flatMap { scheme($0[...]) }))
            }
        }
        return hops
    }

    /// The elements of one `Forwarded` field line, each as its parameters (names lowercased, values
    /// unquoted); `nil` when it does not parse. Empty list items are skipped, as HTTP lists allow.
    static func forwardedElements(_ line: String) -> [[String: String]]? {
        var elements: [[String: String]] = []
        var element: [String: String] = [:]
        var elementHasPair = false
        var scanner = Scanner(line)
        while true {
            scanner.skipWhitespace()
            guard let name = scanner.token(until: "=,;") else {
                // An empty pair (`;;`) or an empty list item (`,,`).
                switch scanner.next() {
                case nil:
                    if elementHasPair { elements.append(element) }
                    return elements
                case ",":
                    if elementHasPair { elements.append(element) }
                    element = [:]
                    elementHasPair = false
                    continue
                case ";":
                    continue
                default:
                    return nil
                }
            }
            scanner.skipWhitespace()
            guard scanner.next() == "=" else { return nil }
            scanner.skipWhitespace()
            let value: String
            if scanner.peek() == "\"" {
                guard let quoted = scanner.quotedString() else { return nil }
                value = quoted
            } else {
                value = scanner.token(until: ",;") ?? ""
            }
            let key = name.lowercased()
            guard element[key] == nil else { return nil }
            element[key] = value
            elementHasPair = true
            scanner.skipWhitespace()
            switch scanner.peek() {
            case nil, ",", ";": continue
            default: return nil
            }
        }
    }

    /// Reads a `Forwarded` field line character by character.
    private struct Scanner {
        private let characters: [Character]
        private var index = 0

        init(_ text: String) { characters = Array(text) }

        func peek() -> Character? { index < characters.count ? characters[index] : nil }

        mutating func next() -> Character? {
            guard let c = peek() else { return nil }
            index += 1
            return c
        }

        mutating func skipWhitespace() {
            while let c = peek(), c.isOptionalWhitespace { index += 1 }
        }

        /// The run of characters up to whitespace, a quote or one of `stops`, trimmed; `nil` when empty.
        mutating func token(until stops: String) -> String? {
            var out = ""
            while let c = peek(), !stops.contains(c), c != "\"", !c.isOptionalWhitespace {
                out.append(c)
                index += 1
            }
            return out.isEmpty ? nil : out
        }

        /// A quoted string with backslash escapes, the quotes dropped; `nil` when it never ends.
        mutating func quotedString() -> String? {
            guard next() == "\"" else { return nil }
            var out = ""
            while let c = next() {
                switch c {
                case "\"": return out
                case "\\":
                    guard let escaped = next() else { return nil }
                    out.append(escaped)
                default: out.append(c)
                }
            }
            return nil
        }
    }
}

extension Character {
    /// HTTP's optional whitespace: a space or a horizontal tab.
    fileprivate var isOptionalWhitespace: Bool { self == " " || self == "\t" }
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
    /// A character of an RFC 7239 obfuscated identifier after its `_`.
    fileprivate var isObfuscatedCharacter: Bool { isASCII && (isLetter || isNumber || self == "." || self == "_" || self == "-") }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    fileprivate var trimmed: Substring {
        var s = self
        while let c = s.first, c.isOptionalWhitespace { s = s.dropFirst() }
        while let c = s.last, c.isOptionalWhitespace { s = s.dropLast() }
        return s
    }
}
