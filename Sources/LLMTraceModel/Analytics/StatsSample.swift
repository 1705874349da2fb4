import Foundation

/// The few fields of a record that statistics need; stores can produce these without decoding whole records.
public struct StatsSample: Sendable, Equatable {
    public var env: String
    public var model: String?
    public var inputTokens: Int?
    public var outputTokens: Int?
    public var totalTokens: Int?
    /// Prompt tokens served from the provider's cache (a part of `inputTokens`).
    public var cachedInputTokens: Int?
    /// Reasoning tokens (a part of `outputTokens`).
    public var reasoningTokens: Int?
    public var estimatedCost: Double?
    public var durationMs: Double?
    public var isError: Bool
    public var startedAt: Date
    /// The session the record belongs to (``TraceSummary/sessionId``).
    public var sessionId: String?

    public init(
        env: String,
        model: String?,
        inputTokens: Int?,
        outputTokens: Int?,
        totalTokens: Int?,
        estimatedCost: Double?,
        durationMs: Double?,
        isError: Bool,
        startedAt: Date,
        cachedInputTokens: Int? = nil,
        reasoningTokens: Int? = nil,
        sessionId: String? = nil
    ) {
        self.env = env
        self.model = model
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.totalTokens = totalTokens
        self.estimatedCost = estimatedCost
        self.durationMs = durationMs
        self.isError = isError
        self.startedAt = startedAt
        self.cachedInputTokens = cachedInputTokens
        self.reasoningTokens = reasoningTokens
        self.sessionId = sessionId
    }

    public init(_ s: TraceSummary) {
        self.init(
            env: s.env,
            model: s.model,
            inputTokens: s.usage.inputTokens,
            outputTokens: s.usage.outputTokens,
            totalTokens: s.usage.totalTokens,
            estimatedCost: s.estimatedCost,
            durationMs: s.durationMs,
            isError: s.isError,
            startedAt: s.startedAt,
            cachedInputTokens: s.usage.cachedInputTokens,
            reasoningTokens: s.usage.reasoningTokens,
            sessionId: s.sessionId
        )
    }

    /// Total tokens: the provider's total, else input + output when either is known.
    var tokens: Int {
        totalTokens ?? ((inputTokens ?? 0) + (outputTokens ?? 0))
    }
}
