import Foundation
import GRDB
import LLMTraceModel

// MARK: - Statistics and timeseries from the hourly rollups

extension SQLiteStore {
    public func stats(filter: RequestFilter) async throws -> Stats {
        try await rollupStats(filter: filter) { try rollupSource() }
    }

    public func timeseries(filter: RequestFilter, bucketSeconds: Int, since: Date, until: Date) async throws -> Timeseries? {
        try await rollupTimeseries(filter: filter, bucketSeconds: bucketSeconds, since: since, until: until) { try rollupSource() }
    }

    /// The rollups and records as they are now, for one aggregation.
    func rollupSource() throws -> SQLiteRollupSource {
        SQLiteRollupSource(reader: try pool.makeSnapshot())
    }
}
