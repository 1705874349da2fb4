import Synchronization

/// The connections each client address has open, counted apart for the API (the event stream, the
/// panel, `/admin`, `/cgi-bin`) and for the proxy route, shared by every connection of a listener.
final class ClientConnectionCounter: Sendable {
    /// What a connection is counted against.
    enum Pool: Sendable, Hashable, CustomStringConvertible {
        /// Every route but `/proxy/…`.
        case api
        /// `/proxy/…`.
        case proxy

        var description: String { self == .api ? "the API, the event stream and the panel" : "the proxy route" }
    }

    private struct Key: Hashable {
        var address: IPAddress
        var pool: Pool
    }

    private let counts = Mutex<[Key: Int]>([:])

    init() {}

    /// Counts one more connection from `address` in `pool`, unless `limit` are open already: `true`
    /// when it was counted (it must be ``release(_:from:)``d when it closes), `false` when refused.
    func admit(_ address: IPAddress, to pool: Pool, limit: Int) -> Bool {
        counts.withLock { counts in
            let key = Key(address: address, pool: pool)
            let open = counts[key, default: 0]
            guard open < limit else { return false }
            counts[key] = open + 1
            return true
        }
    }

    /// Counts one connection from `address` in `pool` as closed.
    func release(_ address: IPAddress, from pool: Pool) {
        counts.withLock { counts in
            let key = Key(address: address, pool: pool)
            let open = counts[key, default: 0] - 1
            counts[key] = open > 0 ? open : nil
        }
    }

    /// The connections `address` has open in `pool`.
    func open(_ address: IPAddress, in pool: Pool) -> Int {
        counts.withLock { $0[Key(address: address, pool: pool), default: 0] }
    }
}
