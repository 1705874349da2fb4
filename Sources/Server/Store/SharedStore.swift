import Foundation
import LLMTraceModel

/// A summary with the time the database saved it (the database server's clock, Unix seconds).
public struct SavedSummary: Sendable, Equatable {
    public var summary: TraceSummary
    public var savedAt: Double

    public init(summary: TraceSummary, savedAt: Double) {
        self.summary = summary
        self.savedAt = savedAt
    }
}

/// A store several llmtrace nodes share (PostgreSQL, MySQL): what one node saves the others hear of,
/// and cluster-wide chores such as retention run on one node at a time.
public protocol SharedStore: TraceStore {
    /// The node this store saves for: written with every record, so the others know whose it is.
    var node: String { get }

    /// Calls `body` with the records other nodes save, soon after they are saved, until cancelled;
    /// throws when the connection fails (the caller follows again). With `since` (the last
    /// ``SavedSummary/savedAt`` seen), records saved from a little before it are delivered first, so
    /// nothing saved while this node was not following is missed; some may come twice.
    func followOtherNodes(since: Double?, _ body: @escaping @Sendable ([SavedSummary]) async -> Void) async throws

    /// Runs `body` unless another node is running a job called `name` now, in which case it returns
    /// `nil` at once without running it.
    func exclusively<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T?
}
