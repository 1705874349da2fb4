import Foundation
import LLMTraceModel

/// Recognises the provider and endpoint of a request from its path and body shape first; the host only
/// refines which provider serves a shape (an OpenAI-shaped request to `api.groq.com` is `groq`, to an
/// unknown host `openai-compatible`).
public enum ProviderDetector {
    /// Known API hosts (lower case) and the provider they stand for.
    static let hostProviders: [String: String] = [
        "api.openai.com": "openai",
        "api.anthropic.com": "anthropic",
        "generativelanguage.googleapis.com": "gemini",
        "api.groq.com": "groq",
        "api.together.xyz": "together",
        "api.together.ai": "together",
        "api.deepseek.com": "deepseek",
        "api.mistral.ai": "mistral",
        "openrouter.ai": "openrouter",
        "api.x.ai": "xai",
    ]

    /// Ollama's default port.
    static let ollamaPort = 11434

    /// Recognises an exchange from its route, request headers and raw request body.
    public static func detect(route: ProxyRoute, requestHeaders: [HeaderField] = [], requestBody: [UInt8]) -> ProviderMatch {
        let body = requestBody.isEmpty ? nil : JSONAccess.parse(requestBody) as? [String: Any]
        return detect(route: route, requestHeaders: requestHeaders, requestJSON: body)
    }

    /// Recognises an exchange from its route, request headers and parsed request body (if it was a JSON object).
    public static func detect(route: ProxyRoute, requestHeaders: [HeaderField] = [], requestJSON body: [String: Any]?) -> ProviderMatch {
        let path = route.path.hasSuffix("/") && route.path.count > 1 ? String(route.path.dropLast()) : route.path
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        let hostProvider = provider(forHost: route.host, port: route.port)

        // Gemini: …/models/{model}:generateContent or :streamGenerateContent (v1, v1beta, Vertex AI).
        if let last = segments.last, let colon = last.lastIndex(of: ":"), segments.count >= 2,
            ["models", "tunedModels"].contains(String(segments[segments.count - 2]))
        {
            let method = last[last.index(after: colon)...]
            if method == "generateContent" || method == "streamGenerateContent" {
                let model = String(last[..<colon])
                return ProviderMatch(provider: "gemini", endpoint: String(method), urlModel: model.isEmpty ? nil : model)
            }
        }

        // Azure OpenAI: /openai/deployments/{deployment}/chat/completions?api-version=…
        if let d = segments.firstIndex(of: "deployments"), d > 0, segments[d - 1] == "openai", d + 1 < segments.count {
            let rest = segments[(d + 2)...].joined(separator: "/")
            let name = String(segments[d + 1])
            let deployment = name.removingPercentEncoding ?? name
            return ProviderMatch(
                provider: "azure-openai",
                endpoint: openAIEndpoint(forSuffix: "/" + rest.lowercased()),
                deployment: deployment.isEmpty ? nil : deployment
            )
        }

        // Ollama's native API.
        let lower = path.lowercased()
        if lower.hasSuffix("/api/chat") { return ProviderMatch(provider: "ollama", endpoint: "ollama.chat") }
        if lower.hasSuffix("/api/generate") { return ProviderMatch(provider: "ollama", endpoint: "ollama.generate") }
        if lower.hasSuffix("/api/embed") || lower.hasSuffix("/api/embeddings") {
            return ProviderMatch(provider: "ollama", endpoint: "ollama.embed")
        }

        // Anthropic Messages (also served by other hosts, which then name the provider).
        if lower.hasSuffix("/v1/messages") || (hostProvider == "anthropic" && lower.hasSuffix("/messages")) {
            return ProviderMatch(provider: hostProvider ?? "anthropic", endpoint: "messages")
        }

        // OpenAI-shaped endpoints on any server.
        if let endpoint = openAIEndpoint(forSuffix: lower) {
            return ProviderMatch(provider: openAICompatibleProvider(route: route, hostProvider: hostProvider), endpoint: endpoint)
        }

        // Unknown path: fall back on the body's shape.
        if let body {
            if body["contents"] is [Any] {
                return ProviderMatch(provider: hostProvider ?? "gemini", endpoint: "generateContent")
            }
            if body["messages"] is [Any] {
                let anthropicHeader = requestHeaders.contains { $0.name.lowercased() == "anthropic-version" }
                if anthropicHeader || hostProvider == "anthropic" {
                    return ProviderMatch(provider: hostProvider ?? "anthropic", endpoint: "messages")
                }
                if body["model"] is String {
                    return ProviderMatch(
                        provider: openAICompatibleProvider(route: route, hostProvider: hostProvider),
                        endpoint: "chat.completions"
                    )
                }
            }
            if body["model"] is String, body["prompt"] != nil {
                return ProviderMatch(provider: openAICompatibleProvider(route: route, hostProvider: hostProvider), endpoint: "completions")
            }
        }
        return ProviderMatch(provider: hostProvider)
    }

    /// The provider a host stands for, or `nil` for an unknown host.
    public static func provider(forHost host: String, port: Int?) -> String? {
        var h = host.lowercased()
        if h.hasSuffix(".") { h.removeLast() }
        if let known = hostProviders[h] { return known }
        if port == ollamaPort { return "ollama" }
        if isAzureHost(h) { return "azure-openai" }
        return nil
    }

    private static func isAzureHost(_ h: String) -> Bool {
        h.hasSuffix(".openai.azure.com") || h.hasSuffix(".cognitiveservices.azure.com") || h.hasSuffix(".services.ai.azure.com")
    }

    private static func openAICompatibleProvider(route: ProxyRoute, hostProvider: String?) -> String {
        hostProvider ?? "openai-compatible"
    }

    /// The OpenAI endpoint a (lower-case) path ends with, if any.
    private static func openAIEndpoint(forSuffix path: String) -> String? {
        if path.hasSuffix("/chat/completions") { return "chat.completions" }
        if path.hasSuffix("/completions") { return "completions" }
        if path.hasSuffix("/responses") { return "responses" }
        if path.hasSuffix("/embeddings") { return "embeddings" }
        return nil
    }
}
