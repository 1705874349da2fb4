import Foundation
import Synchronization
import LLMTraceModel

/// A pricing file or pricing data that could not be used, with a message that says what to fix.
public struct PricingError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The file could not be read.
        case unreadableFile
        /// The data is not JSON.
        case invalidJSON
        /// The JSON is not an object of the expected shape.
        case invalidFormat
        /// One model's entry is wrong (missing price, unknown field, wrong type, negative price…).
        case invalidModel
    }

    /// What went wrong.
    public var kind: Kind
    /// The file the data came from, when it came from a file.
    public var file: String?
    /// The model whose entry is wrong, for `.invalidModel`.
    public var model: String?
    /// What exactly is wrong.
    public var detail: String

    /// Creates an error.
    public init(kind: Kind, file: String? = nil, model: String? = nil, detail: String) {
        self.kind = kind
        self.file = file
        self.model = model
        self.detail = detail
    }

    /// A one-paragraph, actionable message.
    public var description: String {
        var text = file.map { "pricing file \($0): " } ?? "pricing data: "
        if let model { text += "model \"\(model)\": " }
        text += detail
        if kind != .unreadableFile { text += ". " + Self.formatHint }
        return text
    }

    /// Same as `description`.
    public var errorDescription: String? { description }

    static let formatHint = """
        Expected a JSON object of models with prices per token, e.g. \
        {"my-model": {"input": 0.000003, "output": 0.000015, "cacheRead": 0.0000003}}, or per million \
        tokens, e.g. {"my-model": {"inputPerMillion": 3, "outputPerMillion": 15}}, or the \
        {"models": {...}} shape of the bundled pricing.json (see docs/PRICING.md)
        """
}

/// Per-token model prices, with model-name resolution and cost computation.
///
/// The bundled table (``bundled``) is generated from LiteLLM's `model_prices_and_context_window.json`
/// (MIT) by `scripts/update-pricing`. Users can add or replace prices with an override file
/// (``load(overridesFrom:)``) merged over the bundled table (``merging(_:)``).
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
        models: [String: ModelPrice], source: String? = nil, litellmVersion: String? = nil,
        generated: String? = nil, loadError: String? = nil
    ) {
        self.init(
            models: models, overrideKeys: [], source: source, litellmVersion: litellmVersion,
            generated: generated, loadError: loadError)
    }

    init(
        models: [String: ModelPrice], overrideKeys: Set<String>, source: String?,
        litellmVersion: String?, generated: String?, loadError: String?
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

    private init(jsonData: Data, file: String?) throws {
        let shape: FileShape
        do {
            shape = try JSONDecoder().decode(FileShape.self, from: jsonData)
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
            models: shape.models, source: shape.source, litellmVersion: shape.litellmVersion,
            generated: shape.generated)
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
                kind: .unreadableFile, file: url.path,
                detail: "cannot be read (\(error.localizedDescription)); check the path and permissions")
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
            models: models, overrideKeys: overrideKeys, source: source, litellmVersion: litellmVersion,
            generated: generated, loadError: loadError)
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
            let hit = search(candidates, preferred: preferred, preferredFirst: false, where: { key, _ in
                overrideKeys.contains(key)
            })
        {
            return hit
        }
        if !preferred.isEmpty,
            let hit = search(candidates, preferred: preferred, preferredFirst: true, where: { _, price in
                preferred.contains(price.provider?.lowercased() ?? "")
            })
        {
            return hit
        }
        // The model makers' own prices before resellers' (`gmi/anthropic/claude-…`).
        if let hit = search(candidates, preferred: preferred, preferredFirst: false, where: { _, price in
            Self.firstPartyOrder.contains(price.provider?.lowercased() ?? "")
        }) {
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
        _ candidates: [String], preferred: [String], preferredFirst: Bool,
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

    // MARK: Name forms

    /// The forms under which a table key is found: the key, its path suffixes, and Bedrock-style ids
    /// normalised (`us.anthropic.claude-x-v1:0` → `claude-x`, `claude-x@20250101` → `claude-x-20250101`).
    static func indexForms(of key: String) -> [String] {
        var forms: [String] = []
        for suffix in pathSuffixes(of: key.lowercased()) {
            for form in [suffix, vertexDate(suffix), bedrockNormalized(suffix)] {
                if let form, !form.isEmpty, !forms.contains(form) { forms.append(form) }
            }
        }
        return forms
    }

    /// The names tried for a lower-cased query, most specific first.
    static func candidates(for query: String) -> [String] {
        var list: [String] = []
        func add(_ name: String?) {
            if let name, !name.isEmpty, !list.contains(name) { list.append(name) }
        }
        var bases = [query]
        if query.hasPrefix("models/") { bases.append(String(query.dropFirst("models/".count))) }
        for base in bases { add(base); add(vertexDate(base)) }
        for name in list { pathSuffixes(of: name).forEach(add) }
        for name in list { add(bedrockNormalized(name)) }
        for name in list {
            var current = name
            while let stripped = strippingDateOrLatest(current) {
                add(stripped)
                add(stripped + "-latest")
                current = stripped
            }
        }
        for name in list where name.contains(".") {
            add(name.replacingOccurrences(of: ".", with: "-"))
        }
        return list
    }

    /// `a/b/c` → [`a/b/c`, `b/c`, `c`].
    private static func pathSuffixes(of name: String) -> [String] {
        var result = [name]
        var rest = Substring(name)
        while let slash = rest.firstIndex(of: "/") {
            rest = rest[rest.index(after: slash)...]
            if !rest.isEmpty { result.append(String(rest)) }
        }
        return result
    }

    /// Vertex AI's `claude-x@20250101` → `claude-x-20250101`.
    private static func vertexDate(_ name: String) -> String? {
        guard let at = name.lastIndex(of: "@") else { return nil }
        let date = name[name.index(after: at)...]
        guard !date.isEmpty, date.allSatisfy(\.isASCIIDigit) else { return nil }
        return String(name[..<at]) + "-" + String(date)
    }

    /// Bedrock ids without region/vendor prefixes and version suffix:
    /// `us.anthropic.claude-sonnet-4-5-20250929-v1:0` → `claude-sonnet-4-5-20250929`.
    private static func bedrockNormalized(_ name: String) -> String? {
        var s = Substring(name)
        // Version suffix: "-v1:0" ("-v2:0" is kept as "-v2": there the version is part of the model's
        // name, as in `amazon.titan-embed-text-v2:0` or `anthropic.claude-v2:1`), or ":0" alone.
        if let colon = s.lastIndex(of: ":"), s.index(after: colon) < s.endIndex,
            s[s.index(after: colon)...].allSatisfy(\.isASCIIDigit)
        {
            s = s[..<colon]
            if s.hasSuffix("-v1"), s.count > 3 { s = s.dropLast(3) }
        }
        // Region and vendor prefixes: dot-terminated words of letters and dashes ("us.", "us-gov.",
        // "anthropic."), or "ai21.". A dot after a digit ("gpt-4.1", "gemini-2.5") is part of the name.
        while let dot = s.firstIndex(of: ".") {
            let word = s[..<dot]
            let isPrefix =
                word == "ai21" || (!word.isEmpty && word.allSatisfy { $0 == "-" || ("a"..."z").contains($0) })
            let rest = s[s.index(after: dot)...]
            guard isPrefix, !rest.isEmpty else { break }
            s = rest
        }
        let result = String(s)
        return result == name ? nil : result
    }

    /// Strips one trailing date or `latest` suffix: `-2024-08-06`, `-20250929`, `-08-2024`, `-0709`,
    /// `-latest`, `:latest`; `nil` when there is none.
    private static func strippingDateOrLatest(_ name: String) -> String? {
        for suffix in ["-latest", ":latest"] where name.hasSuffix(suffix) && name.count > suffix.count {
            return String(name.dropLast(suffix.count))
        }
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return nil }
        func digits(_ part: Substring, _ count: Int) -> Bool {
            part.count == count && part.allSatisfy(\.isASCIIDigit)
        }
        let n = parts.count
        var drop = 0
        if n >= 4, digits(parts[n - 3], 4), digits(parts[n - 2], 2), digits(parts[n - 1], 2) {
            drop = 3  // -2024-08-06
        } else if digits(parts[n - 1], 8) {
            drop = 1  // -20250929
        } else if n >= 3, digits(parts[n - 2], 2), digits(parts[n - 1], 4) {
            drop = 2  // -08-2024
        } else if digits(parts[n - 1], 4) {
            drop = 1  // -0709, -2407
        }
        guard drop > 0, parts.count - drop >= 1 else { return nil }
        let base = parts.dropLast(drop).joined(separator: "-")
        return base.isEmpty ? nil : base
    }

    // MARK: Bundled resource

    /// The prices bundled with llmtrace (`Resources/pricing.json`), loaded on first use.
    ///
    /// Never crashes: when the resource cannot be found or read, this is an empty table whose
    /// ``loadError`` says what was searched.
    public static let bundled: PriceTable = loadBundled()

    static let resourceBundleNames = [
        "llmtrace_Analysis.resources", "llmtrace_Analysis.bundle/Contents/Resources", "llmtrace_Analysis.bundle",
    ]
    static let resourceFileName = "pricing.json"

    /// Locates and loads the bundled resource without SwiftPM's `Bundle.module` (which calls
    /// `fatalError` on Linux when the bundle is missing).
    static func loadBundled() -> PriceTable {
        var searched: [String] = []
        for directory in ResourceLocator.searchDirectories() {
            for bundleName in resourceBundleNames {
                let file = directory.appendingPathComponent(bundleName)
                    .appendingPathComponent(resourceFileName)
                guard !searched.contains(file.path) else { continue }
                searched.append(file.path)
                guard FileManager.default.isReadableFile(atPath: file.path) else { continue }
                do {
                    var table = try PriceTable(jsonData: try Data(contentsOf: file), file: file.path)
                    table.loadError = nil
                    return table
                } catch {
                    return PriceTable(
                        models: [:],
                        loadError: "bundled pricing \(file.path) is unusable: \(error); "
                            + "regenerate it with scripts/update-pricing")
                }
            }
        }
        return PriceTable(
            models: [:],
            loadError: "bundled pricing not found (\(resourceBundleNames[0])/\(resourceFileName) must sit "
                + "next to the llmtrace executable); searched: \(searched.joined(separator: ", "))")
    }



    // MARK: Decoding

    /// Describes a decoding error, leaving out the first `skip` coding-path components.
    fileprivate static func describe(_ error: any Error, from skip: Int) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let parts = codingPath.dropFirst(skip).map { key in
                key.intValue.map { "[\($0)]" } ?? key.stringValue
            }
            return parts.isEmpty ? "" : "`\(parts.joined(separator: "."))`: "
        }
        switch error {
        case DecodingError.typeMismatch(let type, let context):
            return "\(path(context.codingPath))expected \(Self.typeName(type)) (\(context.debugDescription))"
        case DecodingError.valueNotFound(let type, let context):
            return "\(path(context.codingPath))expected \(Self.typeName(type)), found null"
        case DecodingError.keyNotFound(let key, let context):
            return "\(path(context.codingPath))missing field `\(key.stringValue)`"
        case DecodingError.dataCorrupted(let context):
            return "\(path(context.codingPath))\(context.debugDescription)"
        default:
            return String(describing: error)
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Int.Type: return "a number"
        case is String.Type: return "a string"
        default: return "\(type)"
        }
    }
}

/// The two accepted file shapes, decoded model by model so errors name the model.
private struct FileShape: Decodable {
    var models: [String: ModelPrice] = [:]
    var source: String?
    var litellmVersion: String?
    var generated: String?

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private static let metadataKeys = ["source", "litellmVersion", "generated"]

    init(from decoder: any Decoder) throws {
        let top: KeyedDecodingContainer<Key>
        do {
            top = try decoder.container(keyedBy: Key.self)
        } catch {
            throw PricingError(kind: .invalidFormat, detail: "the top level must be a JSON object")
        }
        let modelsKey = Key(stringValue: "models")
        let isResourceShape =
            top.contains(modelsKey)
            && (try? top.nestedContainer(keyedBy: Key.self, forKey: modelsKey)) != nil
            && top.allKeys.allSatisfy { $0.stringValue == "models" || Self.metadataKeys.contains($0.stringValue) }
        let container: KeyedDecodingContainer<Key>
        let depth: Int
        if isResourceShape {
            source = try Self.metadata(top, "source")
            litellmVersion = try Self.metadata(top, "litellmVersion")
            generated = try Self.metadata(top, "generated")
            container = try top.nestedContainer(keyedBy: Key.self, forKey: modelsKey)
            depth = 2
        } else {
            container = top
            depth = 1
        }
        for key in container.allKeys {
            let name = key.stringValue
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw PricingError(kind: .invalidFormat, detail: "a model name is empty")
            }
            do {
                models[name] = try container.decode(ModelPrice.self, forKey: key)
            } catch {
                throw PricingError(
                    kind: .invalidModel, model: name, detail: PriceTable.describe(error, from: depth))
            }
        }
    }

    private static func metadata(_ c: KeyedDecodingContainer<Key>, _ name: String) throws -> String? {
        do {
            return try c.decodeIfPresent(String.self, forKey: Key(stringValue: name))
        } catch {
            throw PricingError(kind: .invalidFormat, detail: "`\(name)` must be a string")
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

/// A bounded memo of price lookups (emptied when full, so a stream of odd model names cannot grow it).
final class LookupMemo: Sendable {
    struct Key: Hashable, Sendable {
        var model: String
        var provider: String?
    }

    struct Answer: Sendable {
        var hit: (name: String, price: ModelPrice)?
    }

    private static let capacity = 1_024
    private let answers = Mutex([Key: Answer]())

    func answer(for key: Key) -> Answer? {
        answers.withLock { $0[key] }
    }

    func remember(_ answer: Answer, for key: Key) {
        answers.withLock {
            if $0.count >= Self.capacity { $0.removeAll(keepingCapacity: true) }
            $0[key] = answer
        }
    }
}
