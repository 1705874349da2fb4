import Foundation
import Testing

@testable import Analysis
@testable import LLMTraceModel

/// Prices in the bundled table are read in the tests, never hard-coded, so a pricing refresh does not
/// break them; only the synthetic tables below have fixed prices.
@Suite struct PricingTests {
    let table = PriceTable.bundled

    private func price(_ key: String) throws -> ModelPrice {
        try #require(table.models[key], "bundled table lacks \(key)")
    }

    private func approx(_ a: Double?, _ b: Double) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= max(abs(b), 1e-9) * 1e-9
    }

    /// A small table with controlled prices.
    private static let synthetic = PriceTable(models: [
        "gpt-4o": ModelPrice(provider: "openai", mode: "chat", input: 2e-6, output: 8e-6, cacheRead: 1e-6),
        "azure/gpt-4o": ModelPrice(provider: "azure", mode: "chat", input: 3e-6, output: 9e-6),
        "claude-foo": ModelPrice(
            provider: "anthropic",
            mode: "chat",
            input: 3e-6,
            output: 15e-6,
            cacheRead: 0.3e-6,
            cacheWrite: 3.75e-6
        ),
        "gemini/gemini-9-pro": ModelPrice(provider: "gemini", mode: "chat", input: 1e-6, output: 4e-6),
        "gemini-9-pro": ModelPrice(provider: "vertex_ai-language-models", mode: "chat", input: 1.5e-6, output: 5e-6),
        "mistral/mistral-big-latest": ModelPrice(provider: "mistral", mode: "chat", input: 2e-6, output: 6e-6),
        "fireworks_ai/accounts/fireworks/models/llama-z": ModelPrice(
            provider: "fireworks_ai",
            mode: "chat",
            input: 0.9e-6,
            output: 0.9e-6
        ),
        "thinker": ModelPrice(provider: "x", mode: "chat", input: 1e-6, output: 2e-6, reasoning: 5e-6),
        "tiered": ModelPrice(
            provider: "x",
            mode: "chat",
            input: 1e-6,
            output: 2e-6,
            cacheRead: 0.1e-6,
            tiers: [
                .init(aboveInputTokens: 200_000, input: 2e-6, output: 4e-6, cacheRead: 0.2e-6),
                .init(aboveInputTokens: 128_000, input: 1.5e-6),
            ]
        ),
        "free-local": ModelPrice(provider: "ollama", mode: "chat", input: 0, output: 0),
        "resell/anthropic/claude-foo": ModelPrice(provider: "resell", mode: "chat", input: 9e-6, output: 9e-6),
    ])

    // MARK: Bundled table

    @Test func bundledTableLoadsWithKnownModels() throws {
        #expect(table.loadError == nil, "\(table.loadError ?? "")")
        #expect(table.modelCount >= 500)
        #expect(table.litellmVersion?.isEmpty == false)
        #expect(table.source?.contains("LiteLLM") == true)
        for (model, provider) in [
            ("gpt-4o", "openai"), ("gpt-4o-mini", "openai"), ("claude-sonnet-4-5", "anthropic"),
            ("gemini-2.5-pro", "gemini"), ("mistral-large-latest", "mistral"), ("deepseek-chat", "deepseek"),
        ] {
            let hit = try #require(table.lookup(model: model, provider: provider), "\(model) not found")
            #expect(hit.price.input > 0 && hit.price.output > 0, "\(hit.name)")
        }
        let grok = try #require(
            table.models.keys.sorted().first { $0.hasPrefix("xai/grok-") },
            "no xai/grok-* entry"
        )
        let bare = String(grok.dropFirst("xai/".count))
        #expect(table.lookup(model: bare, provider: "xai")?.name == grok)
    }

    @Test func bundledTableCoversMajorProviders() {
        let providers = Set(table.models.values.compactMap(\.provider))
        for provider in [
            "openai", "anthropic", "gemini", "mistral", "deepseek", "xai", "cohere_chat", "groq",
            "together_ai", "fireworks_ai", "azure", "bedrock", "ollama",
        ] {
            #expect(providers.contains(provider), "no \(provider) prices")
        }
        #expect(Set(table.models.values.compactMap(\.mode)).isSubset(of: ["chat", "completion", "responses", "embedding"]))
    }

    // MARK: Lookup

    @Test func datedSnapshotsResolveToBaseModel() {
        // A dated name in the table is used as is; an unknown date falls back to the base model.
        #expect(table.lookup(model: "gpt-4o-2024-08-06", provider: "openai")?.name == "gpt-4o-2024-08-06")
        #expect(table.lookup(model: "gpt-4o-2099-01-01", provider: "openai")?.name == "gpt-4o")
        #expect(table.lookup(model: "gpt-4o-mini-2099-01-01", provider: nil)?.name == "gpt-4o-mini")
        #expect(table.lookup(model: "claude-sonnet-4-5-20991231", provider: "anthropic")?.name == "claude-sonnet-4-5")
        #expect(table.lookup(model: "claude-sonnet-4-5-20250929", provider: "anthropic") != nil)
        let s = Self.synthetic
        #expect(s.lookup(model: "gpt-4o-2024-08-06", provider: nil)?.name == "gpt-4o")
        #expect(s.lookup(model: "claude-foo-20250929", provider: nil)?.name == "claude-foo")
        #expect(s.lookup(model: "claude-foo@20250929", provider: nil)?.name == "claude-foo")
        #expect(s.lookup(model: "claude-foo-latest", provider: nil)?.name == "claude-foo")
        #expect(s.lookup(model: "mistral-big-2407", provider: "mistral")?.name == "mistral/mistral-big-latest")
    }

    @Test func prefixesAndCaseResolve() {
        #expect(table.lookup(model: "openai/gpt-4o", provider: nil)?.name == "gpt-4o")
        #expect(table.lookup(model: "GPT-4o", provider: "openai")?.name == "gpt-4o")
        #expect(table.lookup(model: "anthropic/claude-sonnet-4-5", provider: nil)?.name == "claude-sonnet-4-5")
        #expect(table.lookup(model: "anthropic/claude-sonnet-4.5", provider: "openrouter")?.name == "claude-sonnet-4-5")
        #expect(table.lookup(model: "models/gemini-2.5-pro", provider: nil)?.name == "gemini-2.5-pro")
        let gemini = table.lookup(model: "models/gemini-2.5-pro", provider: "gemini")?.name
        #expect(gemini == "gemini/gemini-2.5-pro" || gemini == "gemini-2.5-pro")
        #expect(table.lookup(model: "gemini/gemini-2.5-pro", provider: nil)?.name == "gemini/gemini-2.5-pro")
        #expect(
            table.lookup(model: "anthropic.claude-sonnet-4-5-20250929-v1:0", provider: nil)?.name
                == "anthropic.claude-sonnet-4-5-20250929-v1:0"
        )

        let s = Self.synthetic
        #expect(s.lookup(model: "models/gemini-9-pro", provider: "gemini")?.name == "gemini/gemini-9-pro")
        #expect(s.lookup(model: "models/gemini-9-pro", provider: nil)?.name == "gemini-9-pro")
        #expect(s.lookup(model: "gemini/gemini-9-pro", provider: nil)?.name == "gemini/gemini-9-pro")
        #expect(
            s.lookup(model: "accounts/fireworks/models/llama-z", provider: nil)?.name
                == "fireworks_ai/accounts/fireworks/models/llama-z"
        )
        #expect(s.lookup(model: "anthropic.claude-foo-20250929-v1:0", provider: "bedrock")?.name == "claude-foo")
        #expect(s.lookup(model: "eu.anthropic.claude-foo-v1:0", provider: nil)?.name == "claude-foo")
        #expect(s.lookup(model: "openai/GPT-4O", provider: nil)?.name == "gpt-4o")
        #expect(s.lookup(model: "  gpt-4o \n", provider: nil)?.name == "gpt-4o")
        #expect(s.lookup(model: "CLAUDE-FOO", provider: nil)?.name == "claude-foo")
    }

    @Test func providerPreference() {
        let s = Self.synthetic
        #expect(s.lookup(model: "gpt-4o", provider: "azure-openai")?.name == "azure/gpt-4o")
        #expect(s.lookup(model: "gpt-4o", provider: "openai")?.name == "gpt-4o")
        #expect(s.lookup(model: "gpt-4o", provider: nil)?.name == "gpt-4o")
        #expect(s.lookup(model: "gpt-4o", provider: "groq")?.name == "gpt-4o")  // no groq entry: best other
        // The maker's own price before a reseller's, unless the reseller is asked for.
        #expect(s.lookup(model: "anthropic/claude-foo", provider: "openrouter")?.name == "claude-foo")
        #expect(s.lookup(model: "anthropic/claude-foo", provider: "resell")?.name == "resell/anthropic/claude-foo")
        #expect(s.lookup(model: "resell/anthropic/claude-foo", provider: nil)?.name == "resell/anthropic/claude-foo")
        #expect(s.lookup(model: "gemini-9-pro", provider: "gemini")?.name == "gemini/gemini-9-pro")
        #expect(table.lookup(model: "gpt-4o", provider: "azure-openai")?.name == "azure/gpt-4o")
        #expect(table.lookup(model: "deepseek-chat", provider: "deepseek")?.price.provider == "deepseek")
    }

    @Test func unknownModelsDoNotMatch() {
        #expect(table.lookup(model: "definitely-not-a-model-xyz", provider: nil) == nil)
        #expect(table.lookup(model: "", provider: "openai") == nil)
        #expect(Self.synthetic.lookup(model: "gpt-5", provider: "openai") == nil)
        #expect(PriceTable(models: [:]).lookup(model: "gpt-4o", provider: nil) == nil)
    }

    // MARK: Cost

    @Test func plainCost() throws {
        let p = try price("gpt-4o")
        let usage = Usage(inputTokens: 1_000, outputTokens: 500)
        #expect(approx(table.cost(model: "gpt-4o", provider: "openai", usage: usage), 1_000 * p.input + 500 * p.output))
        #expect(approx(Self.synthetic.cost(model: "gpt-4o", provider: nil, usage: usage), 1_000 * 2e-6 + 500 * 8e-6))
        #expect(table.cost(model: "gpt-4o", provider: nil, usage: Usage(inputTokens: 10)).map { $0 > 0 } == true)
    }

    @Test func cachedReadCost() throws {
        let p = try price("claude-sonnet-4-5")
        let cacheRead = try #require(p.cacheRead)
        let usage = Usage(inputTokens: 1_000, outputTokens: 100, cachedInputTokens: 600)
        let expected = 400 * p.input + 600 * cacheRead + 100 * p.output
        #expect(approx(table.cost(model: "claude-sonnet-4-5", provider: "anthropic", usage: usage), expected))
        // No cacheRead price: cached tokens are billed at the input price.
        let s = Self.synthetic
        #expect(approx(s.cost(model: "azure/gpt-4o", provider: nil, usage: usage), 1_000 * 3e-6 + 100 * 9e-6))
    }

    @Test func cacheWriteCost() throws {
        let p = try price("claude-sonnet-4-5")
        let cacheRead = try #require(p.cacheRead)
        let cacheWrite = try #require(p.cacheWrite)
        let usage = Usage(inputTokens: 1_000, outputTokens: 50, cachedInputTokens: 200, cacheCreationTokens: 300)
        let expected = 500 * p.input + 200 * cacheRead + 300 * cacheWrite + 50 * p.output
        #expect(approx(table.cost(model: "claude-sonnet-4-5-20250929", provider: "anthropic", usage: usage), expected))
        #expect(
            approx(
                Self.synthetic.cost(model: "gpt-4o", provider: nil, usage: usage),
                500 * 2e-6 + 200 * 1e-6 + 300 * 2e-6 + 50 * 8e-6
            )
        )
    }

    @Test func reasoningCost() throws {
        let usage = Usage(inputTokens: 100, outputTokens: 1_000, reasoningTokens: 700)
        // Separate reasoning price: reasoning at it, the rest of the output at the output price.
        #expect(approx(Self.synthetic.cost(model: "thinker", provider: nil, usage: usage), 100 * 1e-6 + 300 * 2e-6 + 700 * 5e-6))
        // No reasoning price: reasoning tokens are ordinary output tokens.
        let gpt = try price("gpt-4o")
        #expect(approx(table.cost(model: "gpt-4o", provider: nil, usage: usage), 100 * gpt.input + 1_000 * gpt.output))
        let (name, p) = try #require(
            table.models.sorted { $0.key < $1.key }.first {
                $0.value.reasoning != nil && $0.value.reasoning != $0.value.output && $0.value.tiers.isEmpty
            },
            "no bundled model with a separate reasoning price"
        )
        let reasoning = try #require(p.reasoning)
        #expect(
            approx(
                table.cost(model: name, provider: nil, usage: usage),
                100 * p.input + 300 * p.output + 700 * reasoning
            )
        )
    }

    @Test func longContextTier() throws {
        let s = Self.synthetic
        // Exactly at a threshold: not above it.
        #expect(approx(s.cost(model: "tiered", provider: nil, usage: Usage(inputTokens: 128_000, outputTokens: 10)), 128_000 * 1e-6 + 10 * 2e-6))
        // Above 128k: the tier's input price, base output price.
        #expect(approx(s.cost(model: "tiered", provider: nil, usage: Usage(inputTokens: 150_000, outputTokens: 10)), 150_000 * 1.5e-6 + 10 * 2e-6))
        // Above 200k: the highest matching tier.
        #expect(
            approx(
                s.cost(model: "tiered", provider: nil, usage: Usage(inputTokens: 250_000, outputTokens: 10, cachedInputTokens: 50_000)),
                200_000 * 2e-6 + 50_000 * 0.2e-6 + 10 * 4e-6
            )
        )

        let p = try price("gemini-2.5-pro")
        let tier = try #require(p.tiers.first { $0.aboveInputTokens == 200_000 })
        let tierInput = try #require(tier.input)
        let tierOutput = try #require(tier.output)
        let big = Usage(inputTokens: 250_000, outputTokens: 1_000)
        #expect(approx(table.cost(model: "gemini-2.5-pro", provider: nil, usage: big), 250_000 * tierInput + 1_000 * tierOutput))
        let small = Usage(inputTokens: 200_000, outputTokens: 1_000)
        #expect(approx(table.cost(model: "gemini-2.5-pro", provider: nil, usage: small), 200_000 * p.input + 1_000 * p.output))
    }

    @Test func costIsNilWhenUnknown() {
        let usage = Usage(inputTokens: 1_000, outputTokens: 500)
        #expect(table.cost(model: nil, provider: nil, usage: usage) == nil)
        #expect(table.cost(model: "definitely-not-a-model-xyz", provider: "openai", usage: usage) == nil)
        #expect(table.cost(model: "gpt-4o", provider: nil, usage: .unknown) == nil)
        #expect(table.cost(model: "gpt-4o", provider: nil, usage: Usage(totalTokens: 1_500)) == nil)
        #expect(PriceTable(models: [:], loadError: "x").cost(model: "gpt-4o", provider: nil, usage: usage) == nil)
        // A known free model costs 0, which is not the same as unknown.
        #expect(Self.synthetic.cost(model: "free-local", provider: nil, usage: usage) == 0)
    }

    // MARK: Override files

    @Test func plainOverrideShape() throws {
        let json = #"""
            {
              "my-model": {"input": 0.000001, "output": 0.000002, "cacheRead": 1e-7, "cacheWrite": 1.25e-6,
                           "reasoning": 0.000003, "provider": "custom", "mode": "chat"},
              "per-million": {"inputPerMillion": 3, "outputPerMillion": 15, "cacheReadPerMillion": 0.3,
                              "cacheWritePerMillion": 3.75, "reasoningPerMillion": 20,
                              "tiers": [{"aboveInputTokens": 200000, "inputPerMillion": 6, "output": 0.0000225}]}
            }
            """#
        let t = try PriceTable(jsonData: Data(json.utf8))
        #expect(t.modelCount == 2)
        #expect(
            t.models["my-model"]
                == ModelPrice(
                    provider: "custom",
                    mode: "chat",
                    input: 1e-6,
                    output: 2e-6,
                    cacheRead: 1e-7,
                    cacheWrite: 1.25e-6,
                    reasoning: 3e-6
                )
        )
        let m = try #require(t.models["per-million"])
        #expect(approx(m.input, 3e-6) && approx(m.output, 15e-6))
        #expect(approx(m.cacheRead, 0.3e-6) && approx(m.cacheWrite, 3.75e-6) && approx(m.reasoning, 20e-6))
        #expect(m.tiers.count == 1 && approx(m.tiers[0].input, 6e-6) && approx(m.tiers[0].output, 22.5e-6))
        #expect(m.tiers[0].cacheRead == nil)
    }

    @Test func resourceOverrideShapeAndRoundTrip() throws {
        let json = #"""
            {"source": "mine", "generated": "2025-01-01", "litellmVersion": "0",
             "models": {"x-model": {"input": 1e-6, "output": 2e-6, "tiers": [{"aboveInputTokens": 1000, "input": 2e-6}]}}}
            """#
        let t = try PriceTable(jsonData: Data(json.utf8))
        #expect(t.modelCount == 1 && t.source == "mine" && t.generated == "2025-01-01")
        #expect(t.models["x-model"]?.tiers == [.init(aboveInputTokens: 1000, input: 2e-6)])
        // Encoding writes the per-token shape, which decodes to the same price.
        let price = try #require(t.models["x-model"])
        let again = try JSONDecoder().decode(ModelPrice.self, from: JSONEncoder().encode(price))
        #expect(again == price)
    }

    @Test func overrideFileFromURLAndPrecedence() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pricing-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("prices.json")
        try Data(#"{"GPT-4O": {"inputPerMillion": 1, "outputPerMillion": 2}, "brand-new": {"input": 1e-6, "output": 1e-6}}"#.utf8)
            .write(to: file)
        let overrides = try PriceTable.load(overridesFrom: file)
        let merged = table.merging(overrides)
        #expect(merged.modelCount == table.modelCount + 1)  // GPT-4O replaces gpt-4o
        #expect(merged.models["gpt-4o"] == nil)
        let usage = Usage(inputTokens: 1_000_000, outputTokens: 1_000_000)
        #expect(approx(merged.cost(model: "gpt-4o", provider: "openai", usage: usage), 3))
        // The override also wins for names that resolve to it, over bundled dated entries.
        #expect(merged.lookup(model: "gpt-4o-2024-08-06", provider: "openai")?.name == "GPT-4O")
        #expect(merged.lookup(model: "brand-new", provider: nil)?.name == "brand-new")
        // Other models keep their bundled prices.
        #expect(merged.models["gpt-4o-mini"] == table.models["gpt-4o-mini"])
        #expect(merged.lookup(model: "gpt-4o-mini", provider: "openai")?.name == "gpt-4o-mini")
        // Later overrides win over earlier ones.
        let again = merged.merging(PriceTable(models: ["gpt-4o": ModelPrice(input: 5e-6, output: 5e-6)]))
        #expect(again.lookup(model: "gpt-4o", provider: nil)?.price.input == 5e-6)
        #expect(again.models["GPT-4O"] == nil)
    }

    @Test func malformedDataGivesTypedErrors() throws {
        func error(_ json: String) -> PricingError? {
            do {
                _ = try PriceTable(jsonData: Data(json.utf8))
                return nil
            } catch {
                return error as? PricingError
            }
        }
        let notJSON = try #require(error(#"{"gpt-4o": {"input": 1e-6,"#))
        #expect(notJSON.kind == .invalidJSON)
        #expect(notJSON.description.contains("not valid JSON") && notJSON.description.contains("PRICING.md"))
        #expect(error("[1, 2]")?.kind == .invalidFormat)
        let missing = try #require(error(#"{"m": {"input": 1e-6}}"#))
        #expect(missing.kind == .invalidModel && missing.model == "m")
        #expect(missing.description.contains("output"))
        let typo = try #require(error(#"{"m": {"input": 1e-6, "output": 1e-6, "inputPerMilion": 3}}"#))
        #expect(typo.kind == .invalidModel && typo.description.contains("inputPerMilion"))
        let both = try #require(error(#"{"m": {"input": 1e-6, "inputPerMillion": 1, "output": 1e-6}}"#))
        #expect(both.kind == .invalidModel && both.description.contains("not both"))
        #expect(error(#"{"m": {"input": "cheap", "output": 1e-6}}"#)?.kind == .invalidModel)
        #expect(error(#"{"m": {"input": -1, "output": 1e-6}}"#)?.kind == .invalidModel)
        #expect(error(#"{"m": 3}"#)?.kind == .invalidModel)
        let nested = try #require(error(#"{"models": {"m": {"input": 1e-6, "output": 1e-6, "tiers": [{"input": 1e-6}]}}}"#))
        #expect(nested.kind == .invalidModel && nested.model == "m" && nested.description.contains("aboveInputTokens"))

        let missingFile = URL(fileURLWithPath: "/nonexistent/llmtrace-prices.json")
        #expect {
            try PriceTable.load(overridesFrom: missingFile)
        } throws: { error in
            guard let error = error as? PricingError else { return false }
            return error.kind == .unreadableFile && error.description.contains("/nonexistent/llmtrace-prices.json")
        }
        #expect(try PriceTable(jsonData: Data("{}".utf8)).modelCount == 0)
    }

    @Test func bundledLoaderNeverCrashes() {
        // Loading again goes through the same search; in tests the resource is found.
        let again = PriceTable.loadBundled()
        #expect(again.loadError == nil)
        #expect(again.modelCount == table.modelCount)
    }
}
