import Foundation
import GRDB
import LLMTraceModel

extension Row: ColumnReader {
    func value(at index: Int, as type: ColumnType) throws -> ColumnValue {
        if type == .blob {
            // Straight from SQLite's buffer into the bytes: one copy of a body, not two.
            return try withUnsafeData(atIndex: index) { data in data.map { .blob([UInt8]($0)) } ?? .null }
        }
        let value: DatabaseValue = self[index]
        switch value.storage {
        case .null: return .null
        case .int64(let i): return type == .bool ? .bool(i != 0) : .integer(Int(i))
        case .double(let d): return .real(d)
        case .string(let s): return .text(s)
        case .blob(let data): return .blob([UInt8](data))
        }
    }
}

extension ColumnValue {
    /// The value as GRDB binds it (booleans as 0 and 1, as SQLite keeps them).
    var databaseValue: DatabaseValue {
        switch self {
        case .null: return .null
        case .integer(let i): return i.databaseValue
        case .real(let d): return d.databaseValue
        case .bool(let b): return (b ? 1 : 0).databaseValue
        case .text(let s): return s.databaseValue
        case .blob(let b): return Data(b).databaseValue
        }
    }
}

extension StatementArguments {
    /// `values`, in order.
    init(_ values: [ColumnValue]) {
        self.init(values.map(\.databaseValue))
    }
}

extension SQLiteStore {
    static let requests = RecordLayout.table
    static let rollups = RollupLayout.table

    /// The columns of `llmtrace_requests` in the order of the table: the summary, then the derived columns
    /// filters read, then headers, bodies and choices. SQLite stores a row's values in this order and
    /// keeps what does not fit a page in overflow pages, so lists and filters read the small columns
    /// without walking through the bodies.
    static let tableColumns = RecordLayout.summaryColumns + RecordLayout.derivedColumns + RecordLayout.detailColumns

    /// Inserts or replaces one record: ``RecordLayout/insertColumns`` bound from ``RecordLayout/values(of:node:)``.
    static let insertSQL =
        "INSERT INTO \(requests) (\(RecordLayout.insertColumnNames)) VALUES ("
        + Array(repeating: "?", count: RecordLayout.insertColumns.count).joined(separator: ", ") + ") ON CONFLICT(id) DO UPDATE SET "
        + RecordLayout.insertColumns.dropFirst().map { "\($0.name) = excluded.\($0.name)" }.joined(separator: ", ")

    /// Summaries matching `condition`, newest first. The ids are chosen first, from an index where one
    /// applies, and only those rows are read: when SQLite has to sort (a status class is a range on the
    /// status index), it sorts ids instead of whole rows.
    static func newestFirst(_ condition: SQLCondition, limit: Int) -> String {
        "SELECT \(RecordLayout.summaryColumnNames) FROM \(requests) WHERE id IN (SELECT id FROM \(requests)\(condition.whereClause)"
            + " ORDER BY id DESC LIMIT \(limit)) ORDER BY id DESC"
    }
}
