/// A multiset of durations for percentiles: additions are buffered and merged in one pass by
/// ``normalize()`` (the reducer calls it after every action), so loading a page of 100 000 summaries
/// costs one sort rather than 100 000 insertions.
public struct DurationSample: Sendable, Equatable {
    /// Sorted ascending once normalized.
    private var sorted: [Double] = []
    private var pending: [Double] = []

    public init() {}

    public var count: Int { sorted.count + pending.count }

    public mutating func add(_ v: Double) { pending.append(v) }

    /// Removes one occurrence of `v`, if there is one.
    public mutating func remove(_ v: Double) {
        if let i = pending.lastIndex(of: v) {
            pending.remove(at: i)
            return
        }
        let i = Self.lowerBound(v, in: sorted)
        if i < sorted.count, sorted[i] == v { sorted.remove(at: i) }
    }

    /// Merges buffered additions into the sorted values.
    public mutating func normalize() {
        guard !pending.isEmpty else { return }
        pending.sort()
        if sorted.isEmpty {
            sorted = pending
        } else if pending.count > sorted.count / 8 {
            sorted.append(contentsOf: pending)
            sorted.sort()
        } else {
            for v in pending { sorted.insert(v, at: Self.lowerBound(v, in: sorted)) }
        }
        pending = []
    }

    public var isNormalized: Bool { pending.isEmpty }

    /// The nearest-rank percentile (`p` in 0…1), `nil` when empty. Fast when normalized.
    public func percentile(_ p: Double) -> Double? {
        let n = count
        guard n > 0 else { return nil }
        let rank = min(n - 1, max(0, Int((p * Double(n)).rounded(.up)) - 1))
        if pending.isEmpty { return sorted[rank] }
        var copy = self
        copy.normalize()
        return copy.sorted[rank]
    }

    private static func lowerBound(_ v: Double, in a: [Double]) -> Int {
        var lo = 0
        var hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
