/// A block of addresses in CIDR notation (`169.254.0.0/16`, `fe80::/10`), or one address (`/32`, `/128`).
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    /// The first address of the block.
    public let base: IPAddress
    /// Leading bits that are fixed, counted over the 16-byte form (an IPv4 `/16` is 96 + 16).
    public let prefixBits: Int

    /// Parses `a.b.c.d/n`, `ipv6/n` or a single address. `nil` when it is neither.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, let address = IPAddress(first) else { return nil }
        let maxBits = address.isIPv4 ? 32 : 128
        var bits = maxBits
        if parts.count == 2 {
            guard parts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int(parts[1]), (0...maxBits).contains(n) else { return nil }
            bits = n
        }
        self.init(address: address, bits: address.isIPv4 ? 96 + bits : bits)
    }

    /// The block of `bits` leading bits (over the 16-byte form) around `address`.
    public init(address: IPAddress, bits: Int) {
        prefixBits = bits
        var masked = address.bytes
        for i in 0..<16 {
            let keep = max(0, min(8, bits - 8 * i))
            masked[i] &= keep == 8 ? 0xFF : UInt8(truncatingIfNeeded: 0xFF << (8 - keep))
        }
        base = IPAddress(bytes: masked) ?? address
    }

    /// Whether `address` lies in the block.
    public func contains(_ address: IPAddress) -> Bool {
        IPNetwork(address: address, bits: prefixBits).base == base
    }

    /// `169.254.0.0/16`, `fe80::/10`.
    public var description: String {
        "\(base)/\(base.isIPv4 ? prefixBits - 96 : prefixBits)"
    }
}
