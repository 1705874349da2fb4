/// Duration bins: the histogram that lets a store find the bin holding a percentile from rollups, then
/// read the exact value from the few records in that bin (``RollupAggregator``). Bins are 10 ms wide
/// below 1 s, 100 ms below 10 s, 1 s below 100 s, and so on (at most 10 % of the value from 100 ms up);
/// bin 460 holds everything from 10 000 s. The same formula is the records table's `duration_bin`
/// generated column (``sqlExpression(_:)``), so Swift and SQL always agree on a record's bin.
enum DurationBins {
    static let count = 461

    /// The bin of a duration in milliseconds. Monotonic: a longer duration never gets a lower bin.
    static func bin(_ ms: Double) -> Int {
        guard ms >= 0 else { return 0 }  // also NaN (stored as NULL, never binned)
        if ms < 1000 { return Int(ms / 10) }
        if ms < 10_000 { return 90 + Int(ms / 100) }
        if ms < 100_000 { return 180 + Int(ms / 1000) }
        if ms < 1_000_000 { return 270 + Int(ms / 10_000) }
        if ms < 10_000_000 { return 360 + Int(ms / 100_000) }
        return 460
    }

    /// ``bin(_:)`` in SQLite over `duration_ms` (`CAST … AS INTEGER` truncates as `Int(_:)` does).
    static let sqlExpression = sqlExpression(.sqlite)

    /// ``bin(_:)`` in `dialect`'s SQL over `duration_ms`. SQLite's `CAST … AS INTEGER` truncates; PostgreSQL
    /// and MySQL round when they cast, so they take `FLOOR` first (durations here are not negative, where
    /// flooring and truncating agree).
    static func sqlExpression(_ dialect: SQLDialect) -> String {
        func whole(_ x: String) -> String {
            switch dialect {
            case .sqlite: return "CAST(\(x) AS INTEGER)"
            case .postgres: return "CAST(FLOOR(\(x)) AS INTEGER)"
            case .mysql: return "CAST(FLOOR(\(x)) AS SIGNED)"
            }
        }
        return """
            CASE WHEN duration_ms IS NULL THEN NULL WHEN duration_ms < 0 THEN 0 \
            WHEN duration_ms < 1000 THEN \(whole("duration_ms / 10")) \
            WHEN duration_ms < 10000 THEN 90 + \(whole("duration_ms / 100")) \
            WHEN duration_ms < 100000 THEN 180 + \(whole("duration_ms / 1000")) \
            WHEN duration_ms < 1000000 THEN 270 + \(whole("duration_ms / 10000")) \
            WHEN duration_ms < 10000000 THEN 360 + \(whole("duration_ms / 100000")) ELSE 460 END
            """
    }
}
