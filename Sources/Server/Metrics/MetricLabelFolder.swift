import Analysis

/// Keeps the label values of exchange metrics few, whatever names the traffic carries: a model the price
/// table does not know becomes `other` (a typo, a fine-tune id or a crafted name would otherwise make a
/// series each), and past ``maxModels`` known models or ``maxEnvironments`` environments, further ones are
/// folded into `other` too. Providers are the ones llmtrace recognises, or `other`.
///
/// Not thread-safe: ``ExchangeMetrics`` keeps it under its lock.
struct MetricLabelFolder: Sendable {
    /// The value a folded label takes.
    static let other = "other"
    /// The value of a label the exchange did not say (no model, no recognised provider).
    static let unknown = "unknown"
    /// The providers llmtrace recognises (``ProviderDetector``), kept as they are.
    static let providers: Set<String> = [
        "openai", "openai-compatible", "anthropic", "gemini", "groq", "together", "deepseek", "mistral", "openrouter", "xai", "ollama",
        "azure-openai",
    ]
    /// Longest label value kept; longer ones are folded.
    static let maxValueLength = 128

    let prices: PriceTable
    let maxModels: Int
    let maxEnvironments: Int
    private(set) var models: [String: String] = [:]
    private(set) var environments: Set<String> = []
    private var distinctModels = 0

    init(prices: PriceTable, maxModels: Int = 200, maxEnvironments: Int = 100) {
        self.prices = prices
        self.maxModels = maxModels
        self.maxEnvironments = maxEnvironments
    }

    /// The labels of an exchange, folded.
    mutating func labels(env: String, model: String?, provider: String?, status: Int?) -> ExchangeLabels {
        ExchangeLabels(
            env: fold(env: env),
            model: fold(model: model, provider: provider),
            provider: Self.fold(provider: provider),
            statusClass: ExchangeLabels.statusClass(status)
        )
    }

    mutating func fold(env: String) -> String {
        if environments.contains(env) { return env }
        guard environments.count < maxEnvironments, env.utf8.count <= Self.maxValueLength else { return Self.other }
        environments.insert(env)
        return env
    }

    mutating func fold(model: String?, provider: String?) -> String {
        guard let model, !model.isEmpty else { return Self.unknown }
        if let known = models[model] { return known }
        // Answers are remembered for every name seen (bounded: past the cap, names are not remembered and
        // the price table, which memoises its own lookups, answers again).
        let folded: String
        if model.utf8.count > Self.maxValueLength || prices.lookup(model: model, provider: provider) == nil || distinctModels >= maxModels {
            folded = Self.other
        } else {
            folded = model
            distinctModels += 1
        }
        if folded != Self.other || models.count < maxModels * 8 { models[model] = folded }
        return folded
    }

    static func fold(provider: String?) -> String {
        guard let provider else { return unknown }
        return providers.contains(provider) ? provider : other
    }
}
