import Foundation
import LLMTraceModel
import Synchronization

/// Keeps the newest `limit` records in memory; the oldest are dropped first.
public final class MemoryStore: TraceStore {
    private struct State {
        var records: [String: TraceRecord] = [:]
        /// Ids in ascending order (oldest first).
        var order: [String] = []
    }

    public let limit: Int
    private let state = Mutex(State())

    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    public var description: String { "memory (at most \(limit) records)" }

    public func save(_ records: [TraceRecord]) async throws {
        state.withLock { s in
            for r in records {
                if s.records.updateValue(r, forKey: r.id) == nil {
                    // Ids increase with time, so a new id almost always goes at the end.
                    if let last = s.order.last, last > r.id {
                        let i = s.order.partitioningIndex { $0 > r.id }
                        s.order.insert(r.id, at: i)
                    } else {
                        s.order.append(r.id)
                    }
                }
            }
            let excess = s.order.count - limit
            if excess > 0 {
                for id in s.order.prefix(excess) { s.records[id] = nil }
                s.order.removeFirst(excess)
            }
        }
    }

    public func record(id: String) async throws -> TraceRecord? {
        state.withLock { $0.records[id] }
    }

    public func list(filter: RequestFilter, page: PageRequest) async throws -> Page {
        state.withLock { s in
            var items: [TraceSummary] = []
            var end = s.order.endIndex
            if let cursor = page.cursor { end = s.order.partitioningIndex { $0 >= cursor } }
            var i = end - 1
            while i >= 0, items.count <= page.limit {
                if let r = s.records[s.order[i]], filter.matches(r.summary) { items.append(r.summary) }
                i -= 1
            }
            return Page(candidates: items, limit: page.limit)
        }
    }

    public func forEachSample(filter: RequestFilter, _ body: (StatsSample) -> Void) async throws {
        let samples = state.withLock { s in s.records.values.compactMap { filter.matches($0.summary) ? StatsSample($0.summary) : nil } }
        samples.forEach(body)
    }

    public func prune(olderThan cutoff: Date?, keepNewest: Int?, limit: Int) async throws -> Int {
        state.withLock { s in
            var doomed: [String] = []
            let limit = max(1, limit)
            if let cutoff {
                for id in s.order where doomed.count < limit {
                    if let r = s.records[id], r.summary.startedAt < cutoff { doomed.append(id) }
                }
            }
            if let keepNewest {
                let taken = Set(doomed)
                var excess = s.order.count - doomed.count - max(0, keepNewest)
                for id in s.order where excess > 0 && doomed.count < limit && !taken.contains(id) {
                    doomed.append(id)
                    excess -= 1
                }
            }
            guard !doomed.isEmpty else { return 0 }
            let gone = Set(doomed)
            for id in doomed { s.records[id] = nil }
            s.order.removeAll { gone.contains($0) }
            return doomed.count
        }
    }

    public func clear() async throws {
        state.withLock { $0 = State() }
    }

    @discardableResult
    public func clear(environments: Set<String>) async throws -> Int {
        state.withLock { s in
            let doomed = Set(s.records.values.filter { environments.contains($0.summary.env) }.map(\.id))
            for id in doomed { s.records[id] = nil }
            s.order.removeAll { doomed.contains($0) }
            return doomed.count
        }
    }

    public func count() async throws -> Int {
        state.withLock { $0.records.count }
    }

    public func close() async throws {}
}

extension Array {
    /// The first index whose element satisfies `belongsInSecondPartition`, for an array partitioned by it.
    func partitioningIndex(where belongsInSecondPartition: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if belongsInSecondPartition(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
