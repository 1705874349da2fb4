import LLMTraceModel

/// The summaries the inspector holds, by id, and their order (newest first).
public struct SummaryStore: Sendable, Equatable {
    public private(set) var byID: [String: TraceSummary] = [:]
    public private(set) var order = OrderedIDs()

    public init() {}

    public var count: Int { order.count }

    public subscript(id: String) -> TraceSummary? { byID[id] }

    /// The summary at `position` (0 = newest).
    public func summary(at position: Int) -> TraceSummary { byID[order[position]]! }

    /// Inserts or replaces a summary; returns the one it replaced.
    @discardableResult
    public mutating func upsert(_ s: TraceSummary) -> TraceSummary? {
        let old = byID.updateValue(s, forKey: s.id)
        if old == nil { order.insert(s.id) }
        return old
    }

    /// Replaces the contents with `summaries` (any order; later duplicates win).
    public mutating func replaceAll(with summaries: [TraceSummary]) {
        byID = Dictionary(summaries.map { ($0.id, $0) }, uniquingKeysWith: { _, new in new })
        order = OrderedIDs(sortedDescending: byID.keys.sorted(by: >))
    }

    @discardableResult
    public mutating func remove(_ id: String) -> TraceSummary? {
        guard let old = byID.removeValue(forKey: id) else { return nil }
        order.remove(id)
        return old
    }

    public mutating func removeAll() {
        byID = [:]
        order.removeAll()
    }
}
