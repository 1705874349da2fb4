import Foundation
import LLMTraceModel

/// The session list in SQL, for every engine: one `GROUP BY session_id` over the records, with the
/// same totals ``SessionAccumulator`` adds up in Swift.
enum SessionLayout {
    /// The selected expressions, in the order ``summary(_:)`` reads them, with the type each is read as.
    static func columns(_ d: SQLDialect) -> [(sql: String, type: ColumnType)] {
        func sum(_ column: String) -> String { d.integerCast("SUM(\(column))") }
        return [
            ("session_id", .key),
            ("MIN(env)", .key),
            ("COUNT(*)", .integer),
            (sum("CASE WHEN \(d.isTrue("is_error")) THEN 1 ELSE 0 END"), .integer),
            (sum("input_tokens"), .integer),
            (sum("output_tokens"), .integer),
            (sum("cached_input_tokens"), .integer),
            (sum("reasoning_tokens"), .integer),
            (sum("COALESCE(total_tokens, COALESCE(input_tokens, 0) + COALESCE(output_tokens, 0))"), .integer),
            ("SUM(cost)", .real),
            ("SUM(duration_ms)", .real),
            ("MIN(started_at)", .real),
            (lastActivity, .real),
            (d.distinctList("model"), .text),
        ]
    }

    /// A turn's end: its start plus its duration (its start while in flight).
    static let lastActivity = "MAX(started_at + COALESCE(duration_ms, 0) / 1000.0)"

    /// The most recently active `limit` sessions of at least `minTurns` turns of the records meeting `condition`.
    static func listSQL(_ d: SQLDialect, table: String, condition: SQLCondition, minTurns: Int, limit: Int) -> String {
        var condition = condition
        condition.append("session_id IS NOT NULL")
        let having = minTurns > 1 ? " HAVING COUNT(*) >= \(minTurns)" : ""
        return "SELECT " + columns(d).map(\.sql).joined(separator: ", ") + " FROM \(table)\(condition.whereClause)"
            + " GROUP BY session_id\(having) ORDER BY \(lastActivity) DESC, session_id DESC LIMIT \(max(0, limit))"
    }

    /// The condition a session list reads through: `filter`'s env, environments and time range (a
    /// session's totals count all its turns in that range, whatever else the filter says).
    static func condition(_ d: SQLDialect, _ filter: RequestFilter) -> SQLCondition {
        var condition = SQLCondition(d)
        condition.add(sessionFilter(filter))
        return condition
    }

    /// The part of `filter` a session list honours.
    static func sessionFilter(_ filter: RequestFilter) -> RequestFilter {
        var f = RequestFilter()
        f.env = filter.env
        f.environments = filter.environments
        f.since = filter.since
        f.until = filter.until
        return f
    }

    /// The session in a row of ``columns(_:)``.
    static func summary(_ row: some ColumnReader, _ d: SQLDialect) throws -> SessionSummary {
        let types = columns(d).map(\.type)
        func at(_ i: Int) throws -> ColumnValue { try row.value(at: i, as: types[i]) }
        let models = (try at(13).string ?? "").split(separator: ",").map(String.init).sorted()
        return SessionSummary(
            id: try at(0).string ?? "",
            env: try at(1).string ?? "",
            turns: try at(2).int ?? 0,
            errors: try at(3).int ?? 0,
            inputTokens: try at(4).int,
            outputTokens: try at(5).int,
            cachedInputTokens: try at(6).int,
            reasoningTokens: try at(7).int,
            totalTokens: try at(8).int,
            cost: try at(9).double,
            durationMs: try at(10).double,
            startedAt: Date(timeIntervalSince1970: try at(11).double ?? 0),
            lastActivityAt: Date(timeIntervalSince1970: try at(12).double ?? 0),
            models: models
        )
    }
}
