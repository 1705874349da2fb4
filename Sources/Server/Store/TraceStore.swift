import Foundation
import LLMTraceModel

/// Where captured records live. Implementations: ``MemoryStore`` (bounded, the default) and
/// ``SQLiteStore`` (a file that survives restarts).
public protocol TraceStore: Sendable {
    /// A short description for logs and `/api/health`, e.g. `memory (10000 records)` or `sqlite ./trace.db`.
    var description: String { get }
    /// Inserts or replaces records by id.
    func save(_ records: [TraceRecord]) async throws
    func record(id: String) async throws -> TraceRecord?
    /// Summaries matching `filter`, newest first, one page.
    func list(filter: RequestFilter, page: PageRequest) async throws -> Page
    /// Calls `body` with the statistics sample of every record matching `filter`.
    func forEachSample(filter: RequestFilter, _ body: (StatsSample) -> Void) async throws
    /// Statistics over the records matching `filter`.
    func stats(filter: RequestFilter) async throws -> Stats
    /// Buckets of `bucketSeconds` from `since` (rounded down to a bucket boundary) to `until`, over the
    /// records matching `filter`; `nil` when that is more than ``Timeseries/maxBuckets`` buckets.
    func timeseries(filter: RequestFilter, bucketSeconds: Int, since: Date, until: Date) async throws -> Timeseries?
    /// Deletes at most `limit` records: first those that started before `olderThan`, then the oldest
    /// beyond the newest `keepNewest`. Returns how many were deleted; call again while it returns
    /// `limit`, so no single call holds the writer for long.
    func prune(olderThan: Date?, keepNewest: Int?, limit: Int) async throws -> Int
    /// Removes every record.
    func clear() async throws
    /// Removes every record of the environments `environments` (shared mode: what a team admin may clear).
    /// Returns how many were removed.
    @discardableResult
    func clear(environments: Set<String>) async throws -> Int
    /// The `limit` most recently active sessions of at least `minTurns` turns among the records in
    /// `filter`'s env, environments and time range (``SessionLayout/sessionFilter(_:)``), with their totals.
    func sessions(filter: RequestFilter, minTurns: Int, limit: Int) async throws -> [SessionSummary]
    /// Number of records stored.
    func count() async throws -> Int
    /// Flushes and releases resources.
    func close() async throws
}

extension TraceStore {
    /// Statistics from every matching sample, through ``StatsAccumulator`` (the reference every
    /// store's ``stats(filter:)`` must agree with).
    public func accumulatedStats(filter: RequestFilter) async throws -> Stats {
        var acc = StatsAccumulator()
        try await forEachSample(filter: filter) { acc.add($0) }
        return acc.stats
    }

    /// A timeseries from every matching sample, through ``TimeseriesAccumulator`` (the reference
    /// every store's ``timeseries(filter:bucketSeconds:since:until:)`` must agree with).
    public func accumulatedTimeseries(filter: RequestFilter, bucketSeconds: Int, since: Date, until: Date) async throws -> Timeseries? {
        guard var acc = TimeseriesAccumulator(bucketSeconds: bucketSeconds, since: since, until: until) else { return nil }
        var f = filter
        f.since = max(f.since ?? since, since)
        f.until = min(f.until ?? until, until)
        try await forEachSample(filter: f) { acc.add($0) }
        return acc.timeseries
    }

    /// Sessions added up from every sample in range, through ``SessionAccumulator`` (the reference every
    /// store's ``sessions(filter:minTurns:limit:)`` must agree with).
    public func accumulatedSessions(filter: RequestFilter, minTurns: Int, limit: Int) async throws -> [SessionSummary] {
        var acc = SessionAccumulator()
        try await forEachSample(filter: SessionLayout.sessionFilter(filter)) { acc.add($0) }
        return acc.sessions(minTurns: minTurns, limit: limit)
    }

    /// Sessions through ``accumulatedSessions(filter:minTurns:limit:)``.
    public func sessions(filter: RequestFilter, minTurns: Int, limit: Int) async throws -> [SessionSummary] {
        try await accumulatedSessions(filter: filter, minTurns: minTurns, limit: limit)
    }

    /// Statistics through ``accumulatedStats(filter:)``.
    public func stats(filter: RequestFilter) async throws -> Stats {
        try await accumulatedStats(filter: filter)
    }

    /// A timeseries through ``accumulatedTimeseries(filter:bucketSeconds:since:until:)``.
    public func timeseries(filter: RequestFilter, bucketSeconds: Int, since: Date, until: Date) async throws -> Timeseries? {
        try await accumulatedTimeseries(filter: filter, bucketSeconds: bucketSeconds, since: since, until: until)
    }
}
