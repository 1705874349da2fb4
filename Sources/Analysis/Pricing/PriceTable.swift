import Foundation
import LLMTraceModel

public struct PriceTable: Sendable {
    /// The prices by model name (the table's keys, original case).
    public let models: [String: ModelPrice]
    /// Where the prices come from (the bundled resource's `source`).
    public var source: String?
    /// The LiteLLM release the bundled prices were taken from.
    public var litellmVersion: String?
    /// The day the resource was generated (`YYYY-MM-DD`).
    public var generated: String?
    /// Why the bundled prices could not be loaded (the table is then empty); `nil` when they were.
    public var loadError: String?

    /// Keys that came from an override table: they win over bundled entries in ``lookup(model:provider:)``.
    let overrideKeys: Set<String>
    /// Lower-cased name forms (full key, path suffixes, Bedrock-style ids without region/vendor/version)
    /// → the keys that have that form.
    private let index: [String: [String]]
    /// Answers already looked up: the proxy prices every exchange, mostly for a handful of models.
    private let memo = LookupMemo()

    /// The number of models in the table.
    public var modelCount: Int { models.count }

    /// Creates a table from per-token prices.
    public init(
        models: [String: ModelPrice],
        source: String? = nil,
        litellmVersion: String? = nil,
        generated: String? = nil,
        loadError: String? = nil
    ) {
        self.init(
            models: models,
            overrideKeys: [],
            source: source,
            litellmVersion: litellmVersion,
            generated: generated,
            loadError: loadError
        )
    }

    init(
        models: [String: ModelPrice],
        overrideKeys: Set<String>,
        source: String?,
        litellmVersion: String?,
        generated: String?,
        loadError: String?
    ) {
        self.models = models
        self.overrideKeys = overrideKeys
        self.source = source
        self.litellmVersion = litellmVersion
        self.generated = generated
        self.loadError = loadError
        var index: [String: [String]] = [:]
        for key in models.keys {
            for form in Self.indexForms(of: key) {
                index[form, default: []].append(key)
            }
        }
        self.index = index
    }

    /// Parses pricing JSON: the bundled resource's shape (`{"models": {...}, "source": ...}`) or a plain
    /// `{"model-name": {...}}` object. See ``load(overridesFrom:)`` for the entry format.
    ///
    /// - Throws: ``PricingError`` saying what is wrong and what is expected.
    public init(jsonData: Data) throws {
        try self.init(jsonData: jsonData, file: nil)
    }

    init(jsonData: Data, file: String?) throws {
        let shape: PriceFileShape
        do {
            shape = try JSONDecoder().decode(PriceFileShape.self, from: jsonData)
        } catch let error as PricingError {
            var error = error
            error.file = file
            throw error
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            let underlying = context.underlyingError.map { " (\($0.localizedDescription))" } ?? ""
            throw PricingError(kind: .invalidJSON, file: file, detail: "not valid JSON\(underlying)")
        } catch {
            throw PricingError(kind: .invalidFormat, file: file, detail: Self.describe(error, from: 0))
        }
        self.init(
            models: shape.models,
            source: shape.source,
            litellmVersion: shape.litellmVersion,
            generated: shape.generated
        )
    }

    /// Loads a price override file.
    ///
    /// The file is a JSON object in one of two shapes:
    ///
    /// - plain: model name → prices,
    ///   ```json
    ///   {
    ///     "gpt-4o": {"input": 0.0000025, "output": 0.00001, "cacheRead": 0.00000125},
    ///     "my-finetune": {"inputPerMillion": 3, "outputPerMillion": 12, "cacheReadPerMillion": 0.3}
    ///   }
    ///   ```
    /// - or the bundled resource's shape: `{"source": "...", "models": {<plain shape>}}`.
    ///
    /// Each entry needs an input and an output price. Prices are US dollars per token (`input`,
    /// `output`, `cacheRead`, `cacheWrite`, `reasoning`) or per million tokens (`inputPerMillion`,
    /// `outputPerMillion`, `cacheReadPerMillion`, `cacheWritePerMillion`, `reasoningPerMillion`), not both
    /// for the same price. Optional: `provider`, `mode`, and `tiers`, a list of long-context tiers
    /// `{"aboveInputTokens": 200000, "input": ..., "output": ..., "cacheRead": ..., "cacheWrite": ...}`.
    /// Unknown fields are an error. A missing `cacheRead`/`cacheWrite` bills those tokens at `input`;
    /// a missing `reasoning` bills reasoning tokens at `output`.
    ///
    /// Merged with ``merging(_:)``, an override entry replaces the bundled entry of the same name
    /// (case-insensitively) and wins for every name that resolves to it (dated snapshots, provider
    /// prefixes).
    ///
    /// - Throws: ``PricingError`` naming the file (and model) and what is expected.
    public static func load(overridesFrom url: URL) throws -> PriceTable {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw PricingError(
                kind: .unreadableFile,
                file: url.path,
                detail: "cannot be read (\(error.localizedDescription)); check the path and permissions"
            )
        }
        return try PriceTable(jsonData: data, file: url.path)
    }

    /// This table with `overrides` merged over it: an override replaces the entry of the same name
    /// (compared case-insensitively) and takes precedence in ``lookup(model:provider:)``.
    public func merging(_ overrides: PriceTable) -> PriceTable {
        var models = self.models
        var overrideKeys = self.overrideKeys
        for (name, price) in overrides.models {
            for existing in index[name.lowercased()] ?? [] where existing.lowercased() == name.lowercased() {
                models.removeValue(forKey: existing)
                overrideKeys.remove(existing)
            }
            models[name] = price
            overrideKeys.insert(name)
        }
        return PriceTable(
            models: models,
            overrideKeys: overrideKeys,
            source: source,
            litellmVersion: litellmVersion,
            generated: generated,
            loadError: loadError
        )
    }

    // MARK: Lookup

    /// Finds the price of `model`, case-insensitively.
    ///
    /// Tries the name as given, then ever less specific forms: without a `models/` prefix (Gemini) or
    /// leading path components (`openai/gpt-4o`, `accounts/fireworks/models/…`), without Bedrock
    /// region/vendor prefixes and version suffixes (`us.anthropic.claude-…-v1:0`), without a date or
    /// `-latest` suffix (`gpt-4o-2024-08-06` → `gpt-4o`, `claude-sonnet-4-5-20250929` →
    /// `claude-sonnet-4-5`), and with dots as dashes (`claude-sonnet-4.5`). Table keys match on the
    /// same forms, so `gemini-2.5-pro` also finds `gemini/gemini-2.5-pro`. Override entries win; then
    /// entries of `provider` (`openai`, `anthropic`, `gemini`, `mistral`, `deepseek`, `xai`, `groq`,
    /// `together`, `openrouter`, `ollama`, `azure-openai`, `fireworks`, `cohere`, `bedrock`, `vertex`
    /// or a LiteLLM provider id), or of the provider named by the model's first path component; then
    /// entries of the model makers and big clouds (`openai`, `anthropic`, `gemini`, …, `azure`,
    /// `bedrock`); then any entry. Within each step the most specific name form that matches wins, and
    /// among its entries an exact key first.
    ///
    /// - Returns: the matched table key and its price, or `nil` when nothing matches.
    public func lookup(model: String, provider: String?) -> (name: String, price: ModelPrice)? {
        let key = LookupMemo.Key(model: model, provider: provider)
        if let known = memo.answer(for: key) { return known.hit }
        let hit = search(model: model, provider: provider)
        memo.remember(LookupMemo.Answer(hit: hit), for: key)
        return hit
    }

    private func search(model: String, provider: String?) -> (name: String, price: ModelPrice)? {
        let query = model.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !query.isEmpty, !models.isEmpty else { return nil }
        let candidates = Self.candidates(for: query)
        var preferred: [String] = []
        if let provider, !provider.trimmingCharacters(in: .whitespaces).isEmpty {
            preferred = Self.providerIDs(for: provider)
        } else if query.hasPrefix("accounts/fireworks/") {
            preferred = Self.providerIDs(for: "fireworks")
        } else if let slash = query.firstIndex(of: "/") {
            preferred = Self.providerIDs(for: String(query[..<slash]))
        }

        // Passes, most trusted first; within a pass, the most specific candidate name that matches wins.
        if !overrideKeys.isEmpty,
            let hit = search(
                candidates,
                preferred: preferred,
                preferredFirst: false,
                where: { key, _ in
                    overrideKeys.contains(key)
                }
            )
        {
            return hit
        }
        if !preferred.isEmpty,
            let hit = search(
                candidates,
                preferred: preferred,
                preferredFirst: true,
                where: { _, price in
                    preferred.contains(price.provider?.lowercased() ?? "")
                }
            )
        {
            return hit
        }
        // The model makers' own prices before resellers' (`gmi/anthropic/claude-…`).
        if let hit = search(
            candidates,
            preferred: preferred,
            preferredFirst: false,
            where: { _, price in
                Self.firstPartyOrder.contains(price.provider?.lowercased() ?? "")
            }
        ) {
            return hit
        }
        return search(candidates, preferred: preferred, preferredFirst: false, where: { _, _ in true })
    }

    /// The estimated cost in US dollars of an exchange.
    ///
    /// `cost = (input − cachedRead − cacheWrite) × input price + cachedRead × cacheRead price
    /// + cacheWrite × cacheWrite price + (output − reasoning) × output price + reasoning × reasoning price`,
    /// with `input = usage.inputTokens` (cache reads and writes included), `output = usage.outputTokens`
    /// (reasoning included), cache prices falling back to the input price, reasoning tokens billed apart
    /// only when the model has a `reasoning` price, and the long-context tier chosen by
    /// `usage.inputTokens` exceeding the tier's threshold. See ``ModelPrice/cost(for:)``.
    ///
    /// - Returns: `nil` when `model` is `nil` or not in the table, or `usage` has neither input nor
    ///   output tokens (never a silent 0 for an unknown model).
    public func cost(model: String?, provider: String?, usage: Usage) -> Double? {
        guard let model, usage.inputTokens != nil || usage.outputTokens != nil,
            let match = lookup(model: model, provider: provider)
        else { return nil }
        return match.price.cost(for: usage)
    }

    private func search(
        _ candidates: [String],
        preferred: [String],
        preferredFirst: Bool,
        where accepts: (String, ModelPrice) -> Bool
    ) -> (name: String, price: ModelPrice)? {
        for candidate in candidates {
            guard let keys = index[candidate] else { continue }
            var best: (key: String, price: ModelPrice, rank: [Int])?
            for key in keys {
                guard let price = models[key], accepts(key, price) else { continue }
                let providerID = price.provider?.lowercased() ?? ""
                let preferredRank = preferred.firstIndex(of: providerID) ?? preferred.count
                let exact = key.lowercased() == candidate ? 0 : 1
                let firstParty = Self.firstPartyOrder.firstIndex(of: providerID) ?? Self.firstPartyOrder.count
                let depth = key.reduce(0) { $0 + ($1 == "/" ? 1 : 0) }
                let rank =
                    preferredFirst
                    ? [preferredRank, exact, firstParty, depth, key.count]
                    : [exact, preferredRank, firstParty, depth, key.count]
                if let current = best,
                    !(rank.lexicographicallyPrecedes(current.rank) || (rank == current.rank && key < current.key))
                {
                    continue
                }
                best = (key, price, rank)
            }
            if let best { return (best.key, best.price) }
        }
        return nil
    }

    /// The model makers' own providers (and the big clouds), searched before resellers; also the order
    /// of preference when nothing else decides between entries of the same name.
    private static let firstPartyOrder = [
        "openai", "anthropic", "gemini", "vertex_ai-language-models", "mistral", "deepseek", "xai",
        "cohere_chat", "cohere", "meta_llama", "groq", "together_ai", "fireworks_ai", "openrouter",
        "azure", "azure_ai", "bedrock_converse", "bedrock", "vertex_ai-anthropic_models",
    ]

    /// LiteLLM provider ids (lower case) for a provider name, most preferred first.
    static func providerIDs(for provider: String) -> [String] {
        let p = provider.trimmingCharacters(in: .whitespaces).lowercased()
        switch p {
        case "openai": return ["openai", "text-completion-openai"]
        case "anthropic": return ["anthropic"]
        case "gemini", "google", "google-ai", "googleai", "google-gemini":
            return ["gemini", "vertex_ai-language-models", "vertex_ai-embedding-models"]
        case "vertex", "vertex_ai", "vertex-ai", "vertexai":
            return [
                "vertex_ai-language-models", "vertex_ai-anthropic_models", "vertex_ai-mistral_models",
                "vertex_ai-llama_models", "vertex_ai-embedding-models", "vertex_ai",
            ]
        case "mistral", "mistralai": return ["mistral", "codestral", "text-completion-codestral"]
        case "deepseek": return ["deepseek"]
        case "xai", "x-ai", "grok": return ["xai"]
        case "groq": return ["groq"]
        case "together", "together_ai", "together-ai", "togetherai": return ["together_ai"]
        case "openrouter": return ["openrouter"]
        case "ollama", "ollama_chat": return ["ollama", "ollama_chat"]
        case "azure", "azure-openai", "azure_openai", "azureopenai": return ["azure", "azure_text", "azure_ai"]
        case "fireworks", "fireworks_ai", "fireworks-ai", "fireworksai":
            return ["fireworks_ai", "fireworks_ai-embedding-models"]
        case "cohere": return ["cohere_chat", "cohere"]
        case "bedrock", "aws-bedrock", "aws_bedrock", "amazon-bedrock": return ["bedrock_converse", "bedrock"]
        case "meta", "meta-llama", "meta_llama", "llama": return ["meta_llama"]
        default:
            let underscored = p.replacingOccurrences(of: "-", with: "_")
            return underscored == p ? [p] : [p, underscored]
        }
    }
}
