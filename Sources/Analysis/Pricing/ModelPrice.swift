import Foundation
import LLMTraceModel

/// The prices of one model, in US dollars **per token**.
///
/// Decoding accepts per-token fields (`input`, `output`, `cacheRead`, `cacheWrite`, `reasoning`) or
/// per-million-token fields (`inputPerMillion`, `outputPerMillion`, `cacheReadPerMillion`,
/// `cacheWritePerMillion`, `reasoningPerMillion`), never both for the same price. `input` and `output`
/// are required; unknown fields are rejected so that a typo in an override file is reported instead
/// of silently ignored. Encoding always writes per-token fields. See docs/PRICING.md.
public struct ModelPrice: Codable, Sendable, Equatable {
    /// A long-context price tier: applies when an exchange's `inputTokens` exceed `aboveInputTokens`.
    ///
    /// A `nil` price in a tier falls back to the model's base price.
    public struct Tier: Codable, Sendable, Equatable {
        /// The tier applies to exchanges with strictly more input tokens than this.
        public var aboveInputTokens: Int
        /// Price per uncached input token in this tier.
        public var input: Double?
        /// Price per output token in this tier.
        public var output: Double?
        /// Price per cache-read input token in this tier.
        public var cacheRead: Double?
        /// Price per cache-write input token in this tier.
        public var cacheWrite: Double?

        /// Creates a tier; prices are per token.
        public init(
            aboveInputTokens: Int,
            input: Double? = nil,
            output: Double? = nil,
            cacheRead: Double? = nil,
            cacheWrite: Double? = nil
        ) {
            self.aboveInputTokens = aboveInputTokens
            self.input = input
            self.output = output
            self.cacheRead = cacheRead
            self.cacheWrite = cacheWrite
        }
    }

    /// LiteLLM's provider id of this entry (`openai`, `anthropic`, `gemini`, `azure`, `bedrock`, …).
    public var provider: String?
    /// LiteLLM's mode (`chat`, `completion`, `responses`, `embedding`).
    public var mode: String?
    /// Price per uncached input token.
    public var input: Double
    /// Price per output token (reasoning included, unless `reasoning` is set).
    public var output: Double
    /// Price per input token read from the provider's cache; `nil`: billed at `input`.
    public var cacheRead: Double?
    /// Price per input token written to the provider's cache; `nil`: billed at `input`.
    public var cacheWrite: Double?
    /// Price per reasoning token, where the model bills reasoning apart from other output.
    public var reasoning: Double?
    /// Long-context tiers, ascending by `aboveInputTokens`.
    public var tiers: [Tier]

    /// Creates a price; all prices are per token. Tiers are sorted by threshold.
    public init(
        provider: String? = nil,
        mode: String? = nil,
        input: Double,
        output: Double,
        cacheRead: Double? = nil,
        cacheWrite: Double? = nil,
        reasoning: Double? = nil,
        tiers: [Tier] = []
    ) {
        self.provider = provider
        self.mode = mode
        self.input = input
        self.output = output
        self.cacheRead = cacheRead
        self.cacheWrite = cacheWrite
        self.reasoning = reasoning
        self.tiers = tiers.sorted { $0.aboveInputTokens < $1.aboveInputTokens }
    }

    /// The tier for an exchange with `inputTokens` input tokens: the one with the highest threshold
    /// that `inputTokens` strictly exceeds, or `nil` for base prices.
    public func tier(forInputTokens inputTokens: Int) -> Tier? {
        tiers.last { inputTokens > $0.aboveInputTokens }
    }

    /// The cost in US dollars of `usage` at these prices.
    ///
    /// `cost = (input − cacheRead − cacheWrite) × input price + cacheRead × cacheRead price
    /// + cacheWrite × cacheWrite price + (output − reasoning) × output price + reasoning × reasoning price`,
    /// where a missing cache price falls back to the input price, reasoning tokens are billed apart
    /// only when `reasoning` is set (otherwise they are ordinary output), and the long-context tier is
    /// chosen by `usage.inputTokens`. Returns `nil` when `usage` has neither input nor output tokens.
    public func cost(for usage: Usage) -> Double? {
        guard usage.inputTokens != nil || usage.outputTokens != nil else { return nil }
        let inputTokens = max(0, usage.inputTokens ?? 0)
        let outputTokens = max(0, usage.outputTokens ?? 0)
        let cachedRead = min(max(0, usage.cachedInputTokens ?? 0), inputTokens)
        let cacheWritten = min(max(0, usage.cacheCreationTokens ?? 0), inputTokens - cachedRead)
        let uncached = inputTokens - cachedRead - cacheWritten

        let tier = tier(forInputTokens: inputTokens)
        let inputPrice = tier?.input ?? input
        let outputPrice = tier?.output ?? output
        let cacheReadPrice = tier?.cacheRead ?? cacheRead ?? inputPrice
        let cacheWritePrice = tier?.cacheWrite ?? cacheWrite ?? inputPrice

        var reasoningTokens = 0
        var reasoningCost = 0.0
        if let reasoning {
            reasoningTokens = min(max(0, usage.reasoningTokens ?? 0), outputTokens)
            reasoningCost = Double(reasoningTokens) * reasoning
        }
        return Double(uncached) * inputPrice
            + Double(cachedRead) * cacheReadPrice
            + Double(cacheWritten) * cacheWritePrice
            + Double(outputTokens - reasoningTokens) * outputPrice
            + reasoningCost
    }

    // MARK: Codable

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case provider, mode, input, output, cacheRead, cacheWrite, reasoning, tiers
        case inputPerMillion, outputPerMillion, cacheReadPerMillion, cacheWritePerMillion
        case reasoningPerMillion
    }

    private enum TierKeys: String, CodingKey, CaseIterable {
        case aboveInputTokens, input, output, cacheRead, cacheWrite
        case inputPerMillion, outputPerMillion, cacheReadPerMillion, cacheWritePerMillion
    }

    /// Decodes per-token or per-million fields; see the type's documentation.
    public init(from decoder: any Decoder) throws {
        try Self.rejectUnknownKeys(in: decoder, allowed: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        provider = try c.decodeIfPresent(String.self, forKey: .provider)
        mode = try c.decodeIfPresent(String.self, forKey: .mode)
        guard
            let input = try Self.price(c, .input, .inputPerMillion),
            let output = try Self.price(c, .output, .outputPerMillion)
        else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: c.codingPath,
                    debugDescription: "both an input price (`input` or `inputPerMillion`) and an output "
                        + "price (`output` or `outputPerMillion`) are required"
                )
            )
        }
        self.input = input
        self.output = output
        cacheRead = try Self.price(c, .cacheRead, .cacheReadPerMillion)
        cacheWrite = try Self.price(c, .cacheWrite, .cacheWritePerMillion)
        reasoning = try Self.price(c, .reasoning, .reasoningPerMillion)
        var tiers: [Tier] = []
        if c.contains(.tiers), try !c.decodeNil(forKey: .tiers) {
            var list = try c.nestedUnkeyedContainer(forKey: .tiers)
            while !list.isAtEnd {
                let tierDecoder = try list.superDecoder()
                try Self.rejectUnknownKeys(in: tierDecoder, allowed: TierKeys.allCases.map(\.rawValue))
                let t = try tierDecoder.container(keyedBy: TierKeys.self)
                let threshold = try t.decode(Int.self, forKey: .aboveInputTokens)
                guard threshold >= 0 else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .aboveInputTokens,
                        in: t,
                        debugDescription: "must not be negative"
                    )
                }
                tiers.append(
                    Tier(
                        aboveInputTokens: threshold,
                        input: try Self.price(t, .input, .inputPerMillion),
                        output: try Self.price(t, .output, .outputPerMillion),
                        cacheRead: try Self.price(t, .cacheRead, .cacheReadPerMillion),
                        cacheWrite: try Self.price(t, .cacheWrite, .cacheWritePerMillion)
                    )
                )
            }
        }
        self.tiers = tiers.sorted { $0.aboveInputTokens < $1.aboveInputTokens }
    }

    /// Encodes per-token fields, omitting `nil` prices and empty tiers.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(provider, forKey: .provider)
        try c.encodeIfPresent(mode, forKey: .mode)
        try c.encode(input, forKey: .input)
        try c.encode(output, forKey: .output)
        try c.encodeIfPresent(cacheRead, forKey: .cacheRead)
        try c.encodeIfPresent(cacheWrite, forKey: .cacheWrite)
        try c.encodeIfPresent(reasoning, forKey: .reasoning)
        if !tiers.isEmpty {
            var list = c.nestedUnkeyedContainer(forKey: .tiers)
            for tier in tiers {
                var t = list.nestedContainer(keyedBy: TierKeys.self)
                try t.encode(tier.aboveInputTokens, forKey: .aboveInputTokens)
                try t.encodeIfPresent(tier.input, forKey: .input)
                try t.encodeIfPresent(tier.output, forKey: .output)
                try t.encodeIfPresent(tier.cacheRead, forKey: .cacheRead)
                try t.encodeIfPresent(tier.cacheWrite, forKey: .cacheWrite)
            }
        }
    }

    /// A price given per token (`perToken`) or per million tokens (`perMillion`), not both.
    private static func price<K: CodingKey>(
        _ c: KeyedDecodingContainer<K>,
        _ perToken: K,
        _ perMillion: K
    ) throws -> Double? {
        let token = try c.decodeIfPresent(Double.self, forKey: perToken)
        let million = try c.decodeIfPresent(Double.self, forKey: perMillion)
        if token != nil, million != nil {
            throw DecodingError.dataCorruptedError(
                forKey: perMillion,
                in: c,
                debugDescription: "give either `\(perToken.stringValue)` (per token) or "
                    + "`\(perMillion.stringValue)` (per million tokens), not both"
            )
        }
        guard let value = token ?? million.map({ $0 / 1_000_000 }) else { return nil }
        guard value.isFinite, value >= 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: token != nil ? perToken : perMillion,
                in: c,
                debugDescription: "a price must be a finite number ≥ 0"
            )
        }
        return value
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private static func rejectUnknownKeys(in decoder: any Decoder, allowed: [String]) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        let unknown = c.allKeys.map(\.stringValue).filter { !allowed.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: c.codingPath,
                    debugDescription: "unknown field(s) \(unknown.map { "`\($0)`" }.joined(separator: ", "));"
                        + " known fields: \(allowed.joined(separator: ", "))"
                )
            )
        }
    }
}
