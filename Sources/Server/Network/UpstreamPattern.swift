/// One entry of the upstream allow list (`--allow-upstream`, `allowUpstreams`): a host glob with an
/// optional port (`api.openai.com`, `*.openai.com`, `localhost:11434`) or an address block with an
/// optional port (`10.0.0.0/8`, `192.168.1.20:8000`, `[fd00::/8]:443`, `fd00::/8`).
public struct UpstreamPattern: Sendable, Equatable, CustomStringConvertible {
    /// What the pattern matches.
    public enum Target: Sendable, Equatable {
        /// A lowercased host-name glob; `*` stands for any run of characters.
        case host(String)
        /// Addresses the upstream's name resolves to, or its IP literal.
        case network(IPNetwork)
    }

    public let target: Target
    /// The only port the pattern allows; `nil` for any.
    public let port: Int?
    /// The pattern as written.
    public let description: String

    public init(_ text: String) throws(UpstreamPatternError) {
        description = text
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !body.isEmpty else { throw UpstreamPatternError(text, "it is empty") }
        var portText: Substring?
        if body.hasPrefix("[") {
            guard let close = body.firstIndex(of: "]") else { throw UpstreamPatternError(text, "'[' is not closed") }
            let after = body[body.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw UpstreamPatternError(text, "only ':port' may follow ']'") }
                portText = after.dropFirst()
            }
            body = body[body.index(after: body.startIndex)..<close]
        } else if body.filter({ $0 == ":" }).count == 1, let colon = body.firstIndex(of: ":") {
            // One colon is a port; more make an IPv6 address or block, which takes brackets to have a port.
            portText = body[body.index(after: colon)...]
            body = body[..<colon]
        }
        if let portText {
            guard let p = Int(portText), (1...65535).contains(p) else {
                throw UpstreamPatternError(text, "'\(portText)' is not a port from 1 to 65535")
            }
            port = p
        } else {
            port = nil
        }
        if let network = IPNetwork(body) {
            target = .network(network)
        } else if body.contains("/") || body.contains(":") {
            throw UpstreamPatternError(text, "'\(body)' is not an address block such as 10.0.0.0/8 or fd00::/8")
        } else {
            let glob = body.lowercased()
            guard glob.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || "-._*".unicodeScalars.contains($0) })
            else {
                throw UpstreamPatternError(text, "'\(body)' is not a host name or glob; use letters, digits, '-', '.' and '*'")
            }
            target = .host(glob.hasSuffix(".") ? String(glob.dropLast()) : glob)
        }
    }

    /// Whether the pattern is an address block (it needs the upstream's addresses to match).
    var isNetwork: Bool {
        if case .network = target { return true }
        return false
    }

    /// Whether the pattern names exactly this host (a name without `*`, or a block holding the address):
    /// what it takes to reach a metadata or link-local address on a server listening beyond loopback.
    func names(host: String, addresses: [IPAddress], port: Int) -> Bool {
        if case .host(let glob) = target, glob.contains("*") { return false }
        return allows(host: host, addresses: addresses, port: port)
    }

    /// Whether the pattern allows `host` (lowercased, no trailing dot) on `port`, given the addresses
    /// it resolves to.
    func allows(host: String, addresses: [IPAddress], port: Int) -> Bool {
        guard self.port == nil || self.port == port else { return false }
        switch target {
        case .host(let glob): return Self.glob(glob[...], matches: host[...])
        case .network(let network): return !addresses.isEmpty && addresses.allSatisfy(network.contains)
        }
    }

    /// `*` matches any run of characters, including dots.
    static func glob(_ pattern: Substring, matches text: Substring) -> Bool {
        guard let star = pattern.firstIndex(of: "*") else { return pattern == text }
        let head = pattern[..<star]
        guard text.hasPrefix(head) else { return false }
        let rest = pattern[pattern.index(after: star)...]
        var tail = text.dropFirst(head.count)
        while true {
            if glob(rest, matches: tail) { return true }
            guard !tail.isEmpty else { return false }
            tail = tail.dropFirst()
        }
    }
}

/// An allow-list entry that does not parse.
public struct UpstreamPatternError: Error, Sendable, Equatable {
    public let message: String

    init(_ pattern: String, _ reason: String) {
        message =
            "'\(pattern)' is not an upstream pattern: \(reason) (use a host glob with an optional port, as in *.openai.com or localhost:11434, or an address block, as in 10.0.0.0/8)"
    }
}
