import Foundation
import GRDB
import LLMTraceModel

// MARK: - Statistics and timeseries from the hourly rollups

extension SQLiteStore {
    public func stats(filter: RequestFilter) async throws -> Stats {
        guard RollupAggregator.answers(filter) else { return try await accumulatedStats(filter: filter) }
        return try await RollupAggregator(source: try rollupSource()).stats(filter: filter)
    }

    public func timeseries(filter: RequestFilter, bucketSeconds: Int, since: Date, until: Date) async throws -> Timeseries? {
        guard RollupAggregator.answers(filter, bucketSeconds: bucketSeconds) else {
            return try await accumulatedTimeseries(filter: filter, bucketSeconds: bucketSeconds, since: since, until: until)
        }
        return try await RollupAggregator(source: try rollupSource()).timeseries(
            filter: filter,
            bucketSeconds: bucketSeconds,
            since: since,
            until: until
        )
    }

    /// The rollups and records as they are now, for one aggregation.
    func rollupSource() throws -> SQLiteRollupSource {
        SQLiteRollupSource(reader: try pool.makeSnapshot())
    }
}
