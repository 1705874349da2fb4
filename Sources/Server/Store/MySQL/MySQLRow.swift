/// One row a ``MySQLConnection`` read: its columns' values in order.
struct MySQLRow: Sendable, ColumnReader {
    var values: [ColumnValue]

    /// The value at `index`, as `type` (integers stand for booleans, text for blobs and back).
    func value(at index: Int, as type: ColumnType) throws -> ColumnValue {
        guard values.indices.contains(index) else {
            throw StoreError("MySQL: a row has \(values.count) columns, column \(index) was asked for")
        }
        let value = values[index]
        if value == .null { return .null }
        switch type {
        case .key, .text: return value.string.map { .text($0) } ?? .null
        case .integer: return value.int.map { .integer($0) } ?? .null
        case .real: return value.double.map { .real($0) } ?? .null
        case .bool: return value.bool.map { .bool($0) } ?? .null
        case .blob: return value.bytes.map { .blob($0) } ?? .null
        }
    }
}
