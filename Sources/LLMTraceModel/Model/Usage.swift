/// Normalised token usage of one exchange, independent of the provider.
///
/// Every field is `nil` when the wire did not carry it; llmtrace never writes 0 for "unknown"
/// and never estimates. See docs/API.md, "Token and cost semantics".
public struct Usage: Codable, Sendable, Equatable, Hashable {
    /// Every prompt token processed, cache reads and writes included.
    public var inputTokens: Int?
    /// Every generated token, reasoning included.
    public var outputTokens: Int?
    /// Prompt tokens served from the provider's cache (a part of `inputTokens`).
    public var cachedInputTokens: Int?
    /// Prompt tokens written to the provider's cache (a part of `inputTokens`).
    public var cacheCreationTokens: Int?
    /// Reasoning ("thinking") tokens (a part of `outputTokens`).
    public var reasoningTokens: Int?
    /// The provider's total where it sends one, else input + output.
    public var totalTokens: Int?

    public init(
        inputTokens: Int? = nil,
        outputTokens: Int? = nil,
        cachedInputTokens: Int? = nil,
        cacheCreationTokens: Int? = nil,
        reasoningTokens: Int? = nil,
        totalTokens: Int? = nil
    ) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.cacheCreationTokens = cacheCreationTokens
        self.reasoningTokens = reasoningTokens
        self.totalTokens = totalTokens
    }

    /// Usage with every field unknown.
    public static let unknown = Usage()

    /// Whether any field is known.
    public var isKnown: Bool {
        inputTokens != nil || outputTokens != nil || totalTokens != nil
    }

    // Encode every key, `null` included, so API consumers always see all six fields.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(inputTokens, forKey: .inputTokens)
        try c.encode(outputTokens, forKey: .outputTokens)
        try c.encode(cachedInputTokens, forKey: .cachedInputTokens)
        try c.encode(cacheCreationTokens, forKey: .cacheCreationTokens)
        try c.encode(reasoningTokens, forKey: .reasoningTokens)
        try c.encode(totalTokens, forKey: .totalTokens)
    }
}
