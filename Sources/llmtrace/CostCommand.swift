import ArgumentParser
import Foundation
import LLMTraceModel
import Server

/// `llmtrace cost`: what a call would cost, from the same price table the server uses.
struct CostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost",
        abstract: "Estimate the cost of a call from the bundled price table (plus --pricing overrides)."
    )

    @Option(name: .long, help: "Model name, e.g. gpt-4o, claude-sonnet-4-5, gemini-2.5-pro.")
    var model: String
    @Option(name: .long, help: "Prompt (input) tokens, cached ones included.")
    var prompt: Int = 0
    @Option(name: .long, help: "Completion (output) tokens, reasoning included.")
    var completion: Int = 0
    @Option(name: .long, help: "Prompt tokens read from the provider's cache (a part of --prompt).")
    var cached: Int?
    @Option(name: .long, help: "Prompt tokens written to the provider's cache (a part of --prompt).")
    var cacheWrite: Int?
    @Option(name: .long, help: "Prefer this provider's price (openai, anthropic, gemini, …).")
    var provider: String?
    @Option(name: .long, help: "Price override file (see docs/PRICING.md).")
    var pricing: String?
    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func validate() throws {
        guard prompt >= 0, completion >= 0 else { throw ValidationError("token counts cannot be negative") }
        if (cached ?? 0) + (cacheWrite ?? 0) > prompt {
            throw ValidationError("--cached and --cache-write are parts of --prompt, so together they cannot exceed it")
        }
    }

    func run() throws {
        var configuration = ServerConfiguration()
        configuration.pricingFile = pricing
        let prices = try LLMTraceServer.loadPrices(configuration)
        let usage = Usage(
            inputTokens: prompt,
            outputTokens: completion,
            cachedInputTokens: cached,
            cacheCreationTokens: cacheWrite,
            totalTokens: prompt + completion
        )
        let match = prices.lookup(model: model, provider: provider)
        let cost = prices.cost(model: model, provider: provider, usage: usage)
        if json {
            let object: [String: Any] = [
                "model": model, "pricedAs": match?.name ?? NSNull(), "promptTokens": prompt, "completionTokens": completion,
                "cachedTokens": cached ?? NSNull(), "cacheWriteTokens": cacheWrite ?? NSNull(), "estimatedCost": cost ?? NSNull(),
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        } else if let cost, let match {
            print(String(format: "$%.6f", cost) + "  \(model) (priced as \(match.name)): \(prompt) prompt + \(completion) completion tokens")
        } else {
            throw CLIError("no price known for model '\(model)'; add one with --pricing FILE (see docs/PRICING.md)")
        }
    }
}
