/// What `/proxy/…` may reach. On loopback llmtrace lets a caller reach anything (local Ollama, vLLM and
/// LM Studio are the point); listening beyond loopback it refuses link-local and cloud metadata
/// addresses unless a pattern names them; an allow list (`--allow-upstream`, and in shared mode an
/// environment's own) limits the rest.
///
/// The decision is made on the addresses the upstream's name resolves to (every one of them), so a
/// name that resolves to a refused address is refused too.
public struct UpstreamPolicy: Sendable, Equatable {
    /// The server-wide allow list; empty allows whatever the default refusals leave.
    public var allow: [UpstreamPattern]
    /// Whether link-local and metadata addresses are refused unless named (listening beyond loopback).
    public var refusesMetadata: Bool

    public init(allow: [UpstreamPattern] = [], refusesMetadata: Bool = false) {
        self.allow = allow
        self.refusesMetadata = refusesMetadata
    }

    /// The policy for a server: the allow list, and the metadata refusal when it listens beyond loopback.
    public init(_ c: ServerConfiguration) {
        self.init(allow: c.allowUpstreams, refusesMetadata: c.listensPublicly)
    }

    /// Whether every upstream is allowed without looking at its addresses.
    public var allowsEverything: Bool { allow.isEmpty && !refusesMetadata }

    /// Blocks refused by default beyond loopback, and what they are.
    static let metadataNetworks: [(IPNetwork, String)] = [
        ("169.254.0.0/16", "a link-local address, where clouds serve instance metadata and credentials"),
        ("fe80::/10", "an IPv6 link-local address"),
        ("fd00:ec2::254/128", "the AWS instance metadata service (IPv6)"),
        ("100.100.100.200/32", "the Alibaba Cloud instance metadata service"),
    ].compactMap { text, what in IPNetwork(text).map { ($0, what) } }

    /// Names of metadata services refused by default beyond loopback (they resolve to link-local addresses
    /// inside the cloud, and may resolve elsewhere outside it).
    static let metadataNames: Set<String> = ["metadata.google.internal", "metadata.goog", "metadata"]

    /// What the policy says of one target.
    public enum Decision: Sendable, Equatable {
        case allow
        /// Refused, with the reason in words a user can act on.
        case refuse(String)
    }

    /// Decides for `host` (as the route names it) on `port`, given the addresses it resolves to (its own
    /// address for an IP literal), and, in shared mode, the environment's allow list `environment` too.
    public func decide(host rawHost: String, port: Int, addresses: [IPAddress], environment: [UpstreamPattern] = []) -> Decision {
        var host = rawHost.lowercased()
        if host.hasSuffix("."), host.count > 1 { host.removeLast() }
        let reached = Self.reached(addresses)
        let target = "\(host.contains(":") ? "[\(host)]" : host):\(port)"
        if refusesMetadata {
            let named = (allow + environment).contains { $0.names(host: host, addresses: reached, port: port) }
            if !named {
                if Self.metadataNames.contains(host) {
                    return .refuse(
                        "\(target) is a cloud metadata service; llmtrace listening beyond loopback refuses it unless --allow-upstream names it"
                    )
                }
                if let (address, what) = Self.metadataAddress(in: reached) {
                    let via =
                        address.description == host
                        ? "" : IPAddress(hostSpelling: host) != nil ? " (\(address))" : " (\(rawHost) resolves to \(address))"
                    return .refuse("\(target)\(via) is \(what); llmtrace listening beyond loopback refuses it unless --allow-upstream names it")
                }
            }
        }
        if !allow.isEmpty, !allow.contains(where: { $0.allows(host: host, addresses: reached, port: port) }) {
            return .refuse(
                "\(target) is not in this server's upstream allow list (--allow-upstream \(allow.map(\.description).joined(separator: " ")))"
            )
        }
        if !environment.isEmpty, !environment.contains(where: { $0.allows(host: host, addresses: reached, port: port) }) {
            return .refuse("\(target) is not in this environment's upstream allow list (\(environment.map(\.description).joined(separator: ", ")))")
        }
        return .allow
    }

    /// Why a connection just made to `address` must not be used (a metadata or link-local address,
    /// beyond loopback, that no pattern names), or `nil`. This is the check on the address actually
    /// connected to, for upstreams connected to by name (HTTPS): a name that resolved to an allowed
    /// address for ``decide(host:port:addresses:environment:)`` and to a refused one at connect time
    /// (DNS rebinding) is stopped here, before a request is sent.
    public func refusalAtConnect(_ address: IPAddress) -> String? {
        guard refusesMetadata else { return nil }
        let reached = Self.reached([address])
        let namedByAddress = allow.contains { pattern in
            if case .network(let network) = pattern.target { return reached.allSatisfy(network.contains) }
            return false
        }
        // A metadata name allowed explicitly allows the addresses it resolves to.
        let namedByName = allow.contains { pattern in
            if case .host(let name) = pattern.target { return Self.metadataNames.contains(name) }
            return false
        }
        guard !namedByAddress, !namedByName, let (a, what) = Self.metadataAddress(in: reached) else { return nil }
        return
            "the upstream's name resolved to \(a) when llmtrace connected, which is \(what); llmtrace listening beyond loopback refuses it unless --allow-upstream names it"
    }

    /// `addresses` and the IPv4 addresses NAT64 or IPv4-compatible ones among them carry: what they reach.
    private static func reached(_ addresses: [IPAddress]) -> [IPAddress] {
        addresses.flatMap { a in [a] + (a.embeddedIPv4.map { [$0] } ?? []) }
    }

    /// The first of `addresses` in a block refused by default, and what that block is.
    private static func metadataAddress(in addresses: [IPAddress]) -> (IPAddress, String)? {
        for address in addresses {
            if let (_, what) = metadataNetworks.first(where: { $0.0.contains(address) }) { return (address, what) }
        }
        return nil
    }

    /// One line for the banner: which policy is in force.
    public var summary: String {
        switch (allow.isEmpty, refusesMetadata) {
        case (true, false): return "any upstream (listening on loopback)"
        case (true, true): return "any upstream but link-local and cloud metadata addresses"
        case (false, false): return "only \(allow.map(\.description).joined(separator: ", "))"
        case (false, true): return "only \(allow.map(\.description).joined(separator: ", ")); never link-local or metadata addresses unless named"
        }
    }
}
