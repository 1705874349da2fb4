extension MySQLStore {
    /// One statement of a save: its SQL and the values bound to its `?`s.
    struct Statement: Sendable {
        var sql: String
        var values: [ColumnValue]
    }

    /// Multi-row `INSERT … ON DUPLICATE KEY UPDATE` statements for `rows` (values of
    /// ``RecordLayout/insertColumns``, ids unique): at most ``rowsPerInsert`` rows each, and at most
    /// `inlineBudget` bytes of values in the statement's own packet (values over `longDataThreshold`
    /// bytes travel as long data, outside it), so a batch of large bodies stays under the server's
    /// `max_allowed_packet`.
    static func inserts(_ rows: [[ColumnValue]], inlineBudget: Int, longDataThreshold: Int) -> [Statement] {
        var statements: [Statement] = []
        var values: [ColumnValue] = []
        var count = 0
        var bytes = 0
        func flush() {
            guard count > 0 else { return }
            let placeholders = Array(repeating: rowPlaceholders, count: count).joined(separator: ", ")
            statements.append(Statement(sql: insertPrefix + placeholders + updateClause, values: values))
            values = []
            count = 0
            bytes = 0
        }
        for row in rows {
            // Each value costs its bytes (unless sent as long data) and a few for its type and length.
            let rowBytes = row.reduce(0) { total, value in
                let size = value.byteCount
                return total + 10 + (size > longDataThreshold ? 0 : size)
            }
            if count == rowsPerInsert || (count > 0 && bytes + rowBytes > inlineBudget) { flush() }
            values += row
            count += 1
            bytes += rowBytes
        }
        flush()
        return statements
    }

    static let insertPrefix = "INSERT INTO \(requests) (\(RecordLayout.insertColumnNames)) VALUES "
    static let rowPlaceholders = "(" + Array(repeating: "?", count: RecordLayout.insertColumns.count).joined(separator: ", ") + ")"
    /// `VALUES(column)` (not MySQL 8.0.20's row alias) works on MySQL 8 and MariaDB alike.
    static let updateClause =
        " ON DUPLICATE KEY UPDATE " + RecordLayout.insertColumns.dropFirst().map { "\($0.name) = VALUES(\($0.name))" }.joined(separator: ", ")
        + ", saved_at = \(savedAtNow)"

    /// The database server's time now, in Unix seconds: when a record was saved, on one clock for every node.
    static let savedAtNow = "UNIX_TIMESTAMP(NOW(6))"
}

extension ColumnValue {
    /// The bytes this value takes in a MySQL packet, without its length prefix (numbers: 8).
    var byteCount: Int {
        switch self {
        case .null: return 0
        case .bool: return 1
        case .integer, .real: return 8
        case .text(let s): return s.utf8.count
        case .blob(let b): return b.count
        }
    }
}
