import Foundation
import LLMTraceModel

extension TraceStore {
    /// A cost report over the records matching `filter`, grouped `by`, from every matching sample
    /// (the samples statistics read, with their cached and reasoning tokens).
    public func report(filter: RequestFilter, by grouping: ReportGrouping) async throws -> Report {
        var acc = ReportAccumulator(by: grouping)
        try await forEachSample(filter: filter) { acc.add($0) }
        return acc.report(since: filter.since, until: filter.until)
    }
}
