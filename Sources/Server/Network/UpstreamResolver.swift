import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns an upstream's host name into the addresses the upstream policy decides on.
public protocol UpstreamResolver: Sendable {
    /// Every address `host` resolves to; throws when it resolves to none.
    func addresses(of host: String) async throws -> [IPAddress]
}

/// A name that resolved to nothing.
public struct ResolutionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let host: String
    public let reason: String
    public var description: String { "DNS lookup of \(host) failed: \(reason)" }
}

/// The system resolver (`getaddrinfo`: /etc/hosts, then DNS), run on NIO's blocking-IO thread pool.
public struct SystemResolver: UpstreamResolver {
    public init() {}

    public func addresses(of host: String) async throws -> [IPAddress] {
        try await NIOThreadPool.singleton.runIfActive { try Self.lookup(host) }
    }

    static func lookup(_ host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
        hints.ai_socktype = SOCK_STREAM
        #else
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else {
            throw ResolutionError(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(first) }
        var out: [IPAddress] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let info = node {
            if let sa = info.pointee.ai_addr {
                switch Int32(sa.pointee.sa_family) {
                case AF_INET:
                    let a = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    if let ip = IPAddress(bytes: withUnsafeBytes(of: a) { Array($0) }) { out.append(ip) }
                case AF_INET6:
                    let a = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    if let ip = IPAddress(bytes: withUnsafeBytes(of: a) { Array($0) }) { out.append(ip) }
                default: break
                }
            }
            node = info.pointee.ai_next
        }
        guard !out.isEmpty else { throw ResolutionError(host: host, reason: "no IPv4 or IPv6 address") }
        var seen = Set<IPAddress>()
        return out.filter { seen.insert($0).inserted }
    }
}

/// Names resolved from a fixed table, and nothing else: what tests resolve through, so no lookup ever
/// leaves the machine (`LLMTRACE_TEST_HOSTS="name=address,…"`).
public struct FixedResolver: UpstreamResolver {
    public let table: [String: [IPAddress]]

    public init(table: [String: [IPAddress]]) {
        self.table = table
    }

    /// Parses `name=address,name=address`; a name may appear more than once.
    public init?(hosts text: String) {
        var table: [String: [IPAddress]] = [:]
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let address = IPAddress(parts[1].trimmingCharacters(in: .whitespaces)) else { return nil }
            table[parts[0].trimmingCharacters(in: .whitespaces).lowercased(), default: []].append(address)
        }
        self.init(table: table)
    }

    public func addresses(of host: String) async throws -> [IPAddress] {
        guard let found = table[host.lowercased()] else { throw ResolutionError(host: host, reason: "not in the test host table") }
        return found
    }
}
