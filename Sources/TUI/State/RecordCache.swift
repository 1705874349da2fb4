import LLMTraceModel

/// Full records fetched on demand, the most recently used kept up to ``capacity``.
public struct RecordCache: Sendable, Equatable {
    public var capacity: Int
    private var records: [String: TraceRecord] = [:]
    private var order: [String] = []

    public init(capacity: Int = 32) { self.capacity = max(1, capacity) }

    public subscript(id: String) -> TraceRecord? { records[id] }

    public var count: Int { records.count }

    public mutating func insert(_ record: TraceRecord) {
        let id = record.id
        if records[id] != nil { order.removeAll { $0 == id } }
        records[id] = record
        order.append(id)
        while order.count > capacity {
            let old = order.removeFirst()
            records[old] = nil
        }
    }

    public mutating func remove(_ id: String) {
        guard records.removeValue(forKey: id) != nil else { return }
        order.removeAll { $0 == id }
    }

    public mutating func removeAll() {
        records = [:]
        order = []
    }
}
