import LLMTraceModel

/// Lists and samples over a SQL store's summaries, newest first, for stores whose SQL says only part of
/// a filter (``SQLCondition``): `read(before, limit)` returns up to `limit` summaries meeting the SQL
/// part with ids below `before`, newest first, and the whole filter is tested here on each.
enum SummaryPages {
    /// The most summaries one read asks for.
    static let maxBatch = 2000

    /// One page of the summaries matching `filter`. Candidates already passed the SQL part, so most
    /// match: the first read asks for one page's worth, and each further one for twice as many, while
    /// the Swift part keeps rejecting them.
    static func list(
        filter: RequestFilter,
        page: PageRequest,
        read: (_ before: String?, _ limit: Int) async throws -> [TraceSummary]
    ) async throws -> Page {
        var items: [TraceSummary] = []
        var cursor = page.cursor
        var batch = page.limit + 1
        while items.count <= page.limit {
            let summaries = try await read(cursor, batch)
            for summary in summaries {
                cursor = summary.id
                if filter.matches(summary) { items.append(summary) }
                if items.count > page.limit { break }
            }
            if summaries.count < batch { break }
            batch = min(batch * 2, maxBatch)
        }
        return Page(candidates: items, limit: page.limit)
    }

    /// Calls `body` with the sample of every summary matching `filter`, reading 5000 at a time.
    static func forEachSample(
        filter: RequestFilter,
        _ body: (StatsSample) -> Void,
        read: (_ before: String?, _ limit: Int) async throws -> [TraceSummary]
    ) async throws {
        var cursor: String?
        while true {
            let summaries = try await read(cursor, 5000)
            for summary in summaries where filter.matches(summary) { body(StatsSample(summary)) }
            guard summaries.count == 5000, let last = summaries.last else { return }
            cursor = last.id
        }
    }
}
