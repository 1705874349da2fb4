import Foundation
import LLMTraceModel
import NIOCore
import PostgresNIO

extension PostgresRandomAccessRow: ColumnReader {
    func value(at index: Int, as type: ColumnType) throws -> ColumnValue {
        let cell = self[index]
        switch type {
        case .key, .text: return ColumnValue(try cell.decode(String?.self))
        case .integer: return ColumnValue(try cell.decode(Int?.self))
        case .real: return ColumnValue(try cell.decode(Double?.self))
        case .bool: return ColumnValue(try cell.decode(Bool?.self))
        case .blob: return ColumnValue(blob: try cell.decode(ByteBuffer?.self).map { Array($0.readableBytesView) })
        }
    }
}

extension PostgresBindings {
    /// Appends each of `values` in order.
    mutating func append(contentsOf values: [ColumnValue]) {
        for value in values {
            switch value {
            case .null: appendNull()
            case .integer(let i): append(i)
            case .real(let d): append(d)
            case .bool(let b): append(b)
            case .text(let s): append(s)
            case .blob(let b): append(ByteBuffer(bytes: b))
            }
        }
    }

    init(_ values: [ColumnValue]) {
        self.init(capacity: values.count)
        append(contentsOf: values)
    }
}

extension PostgresStore {
    /// One multi-row `INSERT … ON CONFLICT (id) DO UPDATE` for `records` (ids unique within it).
    func insertQuery(_ records: ArraySlice<TraceRecord>) throws -> PostgresQuery {
        let width = RecordLayout.insertColumns.count
        var binds = PostgresBindings(capacity: records.count * width)
        var rows: [String] = []
        rows.reserveCapacity(records.count)
        for r in records {
            let first = binds.count + 1
            binds.append(contentsOf: try RecordLayout.values(of: r, node: node))
            rows.append("(" + (first..<first + width).map { "$\($0)" }.joined(separator: ", ") + ")")
        }
        let sql =
            "INSERT INTO \(table(RecordLayout.table)) (\(RecordLayout.insertColumnNames)) VALUES "
            + rows.joined(separator: ", ") + " ON CONFLICT (id) DO UPDATE SET " + Self.updateAssignments
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    static let updateAssignments =
        (RecordLayout.insertColumns.dropFirst().map { "\($0.name) = EXCLUDED.\($0.name)" } + ["saved_at = \(savedAtNow)"]).joined(separator: ", ")

    /// The database server's time now, in Unix seconds: when a record was saved, on one clock for every node.
    static let savedAtNow = "extract(epoch from clock_timestamp())"
}
