import Foundation
import LLMTraceModel

/// The hourly rollup table every SQL store that keeps rollups shares, and the SQL that reads and
/// maintains it in any ``SQLDialect``: what a store needs to be a ``RollupSource`` and to apply
/// ``RollupChanges``.
///
/// One row per hour, environment and model (`has_model` false and `model` empty for records without
/// one, so the key has no `NULL` and can be a primary key in every engine): the sums statistics need,
/// and the histogram of durations as one `bins` BLOB (``RollupTotals/encodedBins``: 6 bytes per
/// non-empty bin, 100–700 bytes a row in practice). The histogram is a BLOB rather than a row per bin
/// because the aggregator adds whole histograms, a few thousand rows for a week, and one row per key
/// keeps that one index range read in every engine; the price is that a change cannot be added in SQL
/// (`bins = bins + …`), so writers read the row, merge in Swift (``RollupChanges``) and write it back,
/// under the row lock their transaction takes (`SELECT … FOR UPDATE` in PostgreSQL and MySQL).
enum RollupLayout {
    /// The table's name in every engine.
    static let table = "llmtrace_rollup_hourly"

    /// A statement and the values bound to its placeholders, in order.
    struct Query: Sendable, Equatable {
        var sql: String
        var values: [ColumnValue]
    }

    static let keyColumns: [Column] = [
        Column("hour", .integer, nullable: false),
        Column("env", .key, nullable: false),
        Column("has_model", .bool, nullable: false),
        Column("model", .key, nullable: false),
    ]

    static let totalsColumns: [Column] = [
        Column("requests", .integer, nullable: false),
        Column("prompt", .integer, nullable: false),
        Column("completion", .integer, nullable: false),
        Column("total", .integer, nullable: false),
        Column("errors", .integer, nullable: false),
        Column("cost", .real, nullable: false),
        Column("finished", .integer, nullable: false),
        Column("duration_sum", .real, nullable: false),
        Column("unpriced", .integer, nullable: false),
        Column("bins", .blob, nullable: false),
    ]

    static let columns = keyColumns + totalsColumns
    static let columnNames = columns.map(\.name).joined(separator: ", ")
    static let totalsColumnNames = totalsColumns.map(\.name).joined(separator: ", ")

    /// `CREATE TABLE` for the rollup table named `table`.
    static func createTableSQL(_ dialect: SQLDialect, table: String = table) -> String {
        """
        CREATE TABLE \(table) (
            \(dialect.columnDefinitions(columns)),
            PRIMARY KEY (hour, env, has_model, model)
        )\(dialect == .sqlite ? " WITHOUT ROWID" : "")
        """
    }

    /// The records table's `duration_bin` column, generated from `duration_ms` (``DurationBins``), for a
    /// `CREATE TABLE` or `ALTER TABLE … ADD COLUMN`; percentile reads use it through an index on
    /// ``durationIndexColumns``.
    static func durationBinColumnSQL(_ dialect: SQLDialect) -> String {
        // PostgreSQL (before 18) only stores generated columns; SQLite and MySQL compute them when read.
        "duration_bin INTEGER GENERATED ALWAYS AS (\(DurationBins.sqlExpression(dialect))) \(dialect == .postgres ? "STORED" : "VIRTUAL")"
    }

    /// The columns of the index percentile reads (``durationQuery(_:records:_:sortingRead:)``) go through,
    /// covering every column they filter on: a time range's records of a bin come from it, to be sorted.
    /// (MySQL has a second one, `MySQLStore.durationOrderIndex`, for reads over long ranges.)
    static let durationIndexColumns = "duration_bin, started_at, duration_ms, env, model"

    // MARK: Samples of the records table

    /// The records table's columns a ``StatsSample`` is made of, in the order ``sample(_:from:)`` reads them.
    static let sampleColumns: [Column] = [
        Column("env", .key, nullable: false),
        Column("model", .key),
        Column("input_tokens", .integer),
        Column("output_tokens", .integer),
        Column("total_tokens", .integer),
        Column("cost", .real),
        Column("duration_ms", .real),
        Column("is_error", .bool, nullable: false),
        Column("started_at", .real, nullable: false),
        Column("cached_input_tokens", .integer),
        Column("reasoning_tokens", .integer),
    ]

    static let sampleColumnNames = sampleColumns.map(\.name).joined(separator: ", ")

    /// ``sampleColumnNames`` and the session (schema version 4 on), for statistics that group by session.
    /// Rollups read without it: the migrations that build them run before the column exists.
    static let sessionSampleColumnNames = sampleColumnNames + ", session_id"

    /// The sample in a row whose columns from `i` on are ``sampleColumns``, then the session when `session`
    /// (``sessionSampleColumnNames``).
    static func sample(_ row: some ColumnReader, from i: Int = 0, session: Bool = false) throws -> StatsSample {
        func at(_ k: Int) throws -> ColumnValue { try row.value(at: i + k, as: sampleColumns[k].type) }
        return StatsSample(
            env: try at(0).string ?? "",
            model: try at(1).string,
            inputTokens: try at(2).int,
            outputTokens: try at(3).int,
            totalTokens: try at(4).int,
            estimatedCost: try at(5).double,
            durationMs: try at(6).double,
            isError: try at(7).bool ?? false,
            startedAt: Date(timeIntervalSince1970: try at(8).double ?? 0),
            cachedInputTokens: try at(9).int,
            reasoningTokens: try at(10).int,
            sessionId: session ? try row.value(at: i + sampleColumns.count, as: .key).string : nil
        )
    }

    // MARK: Rows

    /// The values of ``keyColumns`` for `key`.
    static func keyValues(_ key: RollupKey) -> [ColumnValue] {
        [.integer(key.hour), .text(key.env), .bool(key.model != nil), .text(key.model ?? "")]
    }

    /// The values of ``totalsColumns`` for `t`.
    static func totalsValues(_ t: RollupTotals) -> [ColumnValue] {
        [
            .integer(t.requests), .integer(t.prompt), .integer(t.completion), .integer(t.total), .integer(t.errors), .real(t.cost),
            .integer(t.finished), .real(t.durationSum), .integer(t.unpriced), .blob(t.encodedBins),
        ]
    }

    /// The totals in a row whose columns from `i` on are ``totalsColumns``, bins included.
    static func totals(_ row: some ColumnReader, from i: Int = 0) throws -> RollupTotals {
        var t = try totalsWithoutBins(row, from: i)
        RollupTotals.forEachBin(try row.value(at: i + 9, as: .blob).bytes ?? []) { t.addBin($0, $1) }
        return t
    }

    private static func totalsWithoutBins(_ row: some ColumnReader, from i: Int) throws -> RollupTotals {
        func at(_ k: Int) throws -> ColumnValue { try row.value(at: i + k, as: totalsColumns[k].type) }
        return RollupTotals(
            requests: try at(0).int ?? 0,
            prompt: try at(1).int ?? 0,
            completion: try at(2).int ?? 0,
            total: try at(3).int ?? 0,
            errors: try at(4).int ?? 0,
            cost: try at(5).double ?? 0,
            finished: try at(6).int ?? 0,
            durationSum: try at(7).double ?? 0,
            unpriced: try at(8).int ?? 0
        )
    }

    /// The rollup row in a row of ``columns``.
    static func row(_ row: some ColumnReader) throws -> RollupRow {
        func at(_ k: Int) throws -> ColumnValue { try row.value(at: k, as: keyColumns[k].type) }
        let hasModel = try at(2).bool ?? false
        let key = RollupKey(hour: try at(0).int ?? 0, env: try at(1).string ?? "", model: hasModel ? try at(3).string ?? "" : nil)
        let bins = try row.value(at: keyColumns.count + 9, as: .blob).bytes ?? []
        return RollupRow(key: key, totals: try totalsWithoutBins(row, from: keyColumns.count), bins: RollupTotals.decodeBins(bins))
    }

    // MARK: Queries of a RollupSource

    /// ``RollupSource/rollupRows(hours:_:)``: `SELECT` ``columns`` from the rollup table `table`.
    static func rowsQuery(_ dialect: SQLDialect, table: String = table, hours: RollupHours, _ selection: RecordSelection) -> Query {
        var c = SQLCondition(dialect)
        if let first = hours.first { c.append("hour >= \(c.bind(.integer(first)))") }
        if let end = hours.end { c.append("hour < \(c.bind(.integer(end)))") }
        if let env = selection.env { c.append("env = \(c.bind(.text(env)))") }
        switch selection.model {
        case .any: break
        case .named(let m): c.append("\(dialect.isTrue("has_model")) AND model = \(c.bind(.text(m)))")
        case .unknownGroup: c.append("(\(dialect.isFalse("has_model")) OR model = \(c.bind(.text("unknown"))))")
        }
        return Query(sql: "SELECT \(columnNames) FROM \(table)\(c.whereClause)", values: c.values)
    }

    /// ``RollupSource/samples(_:)``: `SELECT` ``sampleColumns`` from `records` (the records table, with
    /// any index hint the engine needs: a short time range is best read through the `started_at` index).
    static func samplesQuery(_ dialect: SQLDialect, records: String, _ selection: RecordSelection) -> Query {
        var c = SQLCondition(dialect)
        add(selection, to: &c)
        return Query(sql: "SELECT \(sampleColumnNames) FROM \(records)\(c.whereClause)", values: c.values)
    }

    /// One lookup of ``RollupSource/durations(_:)``: the duration at `offset` in one bin, read from
    /// `records` (the records table, best through its `duration_bin` index).
    ///
    /// With `sortingRead` (MySQL), the matching durations are read into a derived table and sorted there:
    /// MySQL's own sort of the records would read each sorted record's row again, bodies and all.
    static func durationQuery(_ dialect: SQLDialect, records: String, _ lookup: DurationLookup, sortingRead: Bool = false) -> Query {
        var c = SQLCondition(dialect)
        c.append("duration_bin = \(c.bind(.integer(lookup.bin)))")
        add(lookup.selection, to: &c)
        let condition = c.whereClause
        // The offset is bound too, so the statement is the same for every lookup (prepared once).
        let offset = c.bind(.integer(max(0, lookup.offset)))
        if sortingRead {
            // The LIMIT keeps MySQL from merging the derived table back into the outer query.
            let read = "SELECT duration_ms AS d FROM \(records)\(condition) LIMIT 18446744073709551615"
            return Query(sql: "SELECT d FROM (\(read)) AS bin ORDER BY d LIMIT 1 OFFSET \(offset)", values: c.values)
        }
        return Query(sql: "SELECT duration_ms FROM \(records)\(condition) ORDER BY duration_ms LIMIT 1 OFFSET \(offset)", values: c.values)
    }

    /// Adds the conditions of `selection` on the records table to `c`.
    static func add(_ selection: RecordSelection, to c: inout SQLCondition) {
        if let env = selection.env { c.append("env = \(c.bind(.text(env)))") }
        switch selection.model {
        case .any: break
        case .named(let m): c.append("model = \(c.bind(.text(m)))")
        case .unknownGroup: c.append("(model IS NULL OR model = \(c.bind(.text("unknown"))))")
        }
        if let from = selection.from { c.append("started_at >= \(c.bind(.real(from)))") }
        if let to = selection.to { c.append("started_at < \(c.bind(.real(to)))") }
    }

    // MARK: Maintenance (RollupChanges)

    /// The current ``totalsColumns`` of one row, by key (``keyValues(_:)``), locked for the rest of the
    /// transaction in engines with row locks.
    static func selectTotalsSQL(_ dialect: SQLDialect, table: String = table) -> String {
        "SELECT \(totalsColumnNames) FROM \(table) WHERE \(keyCondition(dialect))\(dialect == .sqlite ? "" : " FOR UPDATE")"
    }

    /// Makes sure the row of one key exists (``keyValues(_:)``; an empty row if it did not), so that
    /// ``selectTotalsSQL(_:table:)`` has a row to lock: without it, two nodes adding the first records of
    /// an hour would both read no row and the second upsert would overwrite the first. SQLite, with one
    /// writer, does not need it.
    static func insertEmptySQL(_ dialect: SQLDialect, table: String = table) -> String {
        let keys = (1...keyColumns.count).map { dialect.placeholder($0) }.joined(separator: ", ")
        let empty = Array(repeating: "0", count: totalsColumns.count - 1).joined(separator: ", ")
        let bins = dialect == .postgres ? "''::bytea" : "''"
        let insert = "INTO \(table) (\(columnNames)) VALUES (\(keys), \(empty), \(bins))"
        return dialect == .mysql ? "INSERT IGNORE " + insert : "INSERT " + insert + " ON CONFLICT DO NOTHING"
    }

    /// Writes one row: ``keyValues(_:)`` then ``totalsValues(_:)``, replacing the row of that key.
    static func upsertSQL(_ dialect: SQLDialect, table: String = table) -> String {
        let names = columns.map(\.name)
        let values = (1...names.count).map { dialect.placeholder($0) }.joined(separator: ", ")
        let insert = "INSERT INTO \(table) (\(columnNames)) VALUES (\(values))"
        switch dialect {
        case .sqlite, .postgres:
            return insert + " ON CONFLICT (hour, env, has_model, model) DO UPDATE SET "
                + totalsColumns.map { "\($0.name) = excluded.\($0.name)" }.joined(separator: ", ")
        case .mysql:
            return insert + " ON DUPLICATE KEY UPDATE " + totalsColumns.map { "\($0.name) = VALUES(\($0.name))" }.joined(separator: ", ")
        }
    }

    /// Deletes one row, by key (``keyValues(_:)``).
    static func deleteSQL(_ dialect: SQLDialect, table: String = table) -> String {
        "DELETE FROM \(table) WHERE \(keyCondition(dialect))"
    }

    private static func keyCondition(_ dialect: SQLDialect) -> String {
        keyColumns.enumerated().map { "\($1.name) = \(dialect.placeholder($0 + 1))" }.joined(separator: " AND ")
    }
}
