import LLMTraceModel

/// One row of a Stats table.
public struct StatsRow: Sendable, Equatable {
    public var name: String
    public var requests: Int
    public var inputTokens: Int
    /// `nil` when not computable (a group known only from server stats).
    public var cachedTokens: Int?
    public var outputTokens: Int
    public var reasoningTokens: Int?
    public var cost: Double
    public var avgLatencyMs: Double?
    public var p95LatencyMs: Double?
    public var errors: Int
    /// How many of the group's requests are held locally (cached, reasoning and p95 come from those).
    public var heldRequests: Int
}
