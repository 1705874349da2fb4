import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address, kept as 16 bytes (IPv4 as `::ffff:a.b.c.d`), so one comparison serves
/// both families and an IPv4-mapped IPv6 spelling is the same address as its IPv4 one.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address in network order; an IPv4 address is IPv4-mapped.
    public let bytes: [UInt8]

    private static let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]

    /// From 16 bytes (IPv6) or 4 bytes (IPv4).
    public init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4: self.bytes = Self.mappedPrefix + bytes
        case 16: self.bytes = bytes
        default: return nil
        }
    }

    /// Parses the strict forms: dotted-quad IPv4 (`192.0.2.1`) and IPv6 (`::1`, `fe80::1`,
    /// `::ffff:169.254.169.254`), with or without brackets and with an IPv6 zone (`fe80::1%eth0`) dropped.
    public init?(_ text: some StringProtocol) {
        var s = String(text)
        if s.hasPrefix("["), s.hasSuffix("]") { s = String(s.dropFirst().dropLast()) }
        if let percent = s.firstIndex(of: "%") { s = String(s[..<percent]) }
        var v4 = in_addr()
        if s.withCString({ inet_pton(AF_INET, $0, &v4) }) == 1 {
            self.init(bytes: withUnsafeBytes(of: v4.s_addr) { Array($0) })
            return
        }
        var v6 = in6_addr()
        if s.withCString({ inet_pton(AF_INET6, $0, &v6) }) == 1 {
            self.init(bytes: withUnsafeBytes(of: v6) { Array($0) })
            return
        }
        return nil
    }

    /// Parses every spelling a host name may take that the system resolver reads as an IPv4 address
    /// (`inet_aton`): the strict forms, a single number (`2852039166`), octal and hexadecimal parts
    /// (`0251.0376.0251.0376`, `0xa9.0xfe.0xa9.0xfe`) and two or three parts (`169.254.43518`).
    /// `nil` for a name.
    public init?(hostSpelling text: some StringProtocol) {
        if let strict = IPAddress(text) {
            self = strict
            return
        }
        var name = String(text)
        if name.hasSuffix("."), name.count > 1 { name.removeLast() }  // `2852039166.` resolves too
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt64] = []
        for part in parts {
            guard let v = Self.inetAtonPart(part) else { return nil }
            values.append(v)
        }
        // The last part fills the bytes the others left: a.b.c.d, a.b.(16 bits), a.(24 bits), (32 bits).
        let lastBits = UInt64(8 * (5 - parts.count))
        var value: UInt64 = 0
        for (i, v) in values.enumerated() {
            if i == values.count - 1 {
                guard v < (1 << lastBits) else { return nil }
                value |= v
            } else {
                guard v <= 0xFF else { return nil }
                value |= v << UInt64(8 * (3 - i))
            }
        }
        self.init(bytes: [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
    }

    /// One part of an `inet_aton` address: decimal, octal (leading `0`) or hexadecimal (`0x`).
    private static func inetAtonPart(_ part: Substring) -> UInt64? {
        guard !part.isEmpty, part.utf8.count <= 12 else { return nil }
        let lower = part.lowercased()
        if lower.hasPrefix("0x") {
            let digits = lower.dropFirst(2)
            return digits.isEmpty ? 0 : UInt64(digits, radix: 16)
        }
        if lower.count > 1, lower.hasPrefix("0") { return UInt64(lower.dropFirst(), radix: 8) }
        return UInt64(lower, radix: 10)
    }

    /// The address a connected or resolved socket address names; `nil` for a unix socket.
    public init?(_ address: SocketAddress) {
        switch address {
        case .v4(let a): self.init(bytes: withUnsafeBytes(of: a.address.sin_addr.s_addr) { Array($0) })
        case .v6(let a): self.init(bytes: withUnsafeBytes(of: a.address.sin6_addr) { Array($0) })
        case .unixDomainSocket: return nil
        }
    }

    /// Whether this is an IPv4 address (or an IPv4-mapped IPv6 one, which is the same).
    public var isIPv4: Bool { Array(bytes[0..<12]) == Self.mappedPrefix }

    /// The IPv4 address an IPv6 address carries in its last 32 bits when it is a NAT64 one
    /// (`64:ff9b::a9fe:a9fe`) or an IPv4-compatible one (`::a9fe:a9fe`): what it may reach in the end.
    public var embeddedIPv4: IPAddress? {
        guard !isIPv4 else { return nil }
        let nat64: [UInt8] = [0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0]
        let head = Array(bytes[0..<12])
        guard head == nat64 || (head.allSatisfy { $0 == 0 } && bytes[12...].contains { $0 != 0 } && !isLoopback) else { return nil }
        return IPAddress(bytes: Array(bytes[12..<16]))
    }

    /// `127.0.0.0/8` or `::1`.
    public var isLoopback: Bool {
        isIPv4 ? bytes[12] == 127 : bytes == [UInt8](repeating: 0, count: 15) + [1]
    }

    /// The usual text: `169.254.169.254`, `fe80::1`.
    public var description: String {
        if isIPv4 { return bytes[12...].map(String.init).joined(separator: ".") }
        var v6 = in6_addr()
        withUnsafeMutableBytes(of: &v6) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &v6, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
