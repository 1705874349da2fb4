import Testing

@testable import Analysis
@testable import LLMTraceModel

@Suite struct ProviderDetectorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var url: String
        var body: String = ""
        var headers: [HeaderField] = []
        var provider: String?
        var endpoint: String?
        var urlModel: String? = nil
        var deployment: String? = nil
        var testDescription: String { url }
    }

    static let cases: [Case] = [
        Case(url: "https://api.openai.com/v1/chat/completions", provider: "openai", endpoint: "chat.completions"),
        Case(url: "https://api.openai.com/v1/completions", provider: "openai", endpoint: "completions"),
        Case(url: "https://api.openai.com/v1/responses", provider: "openai", endpoint: "responses"),
        Case(url: "https://api.openai.com/v1/embeddings", provider: "openai", endpoint: "embeddings"),
        Case(url: "https://api.openai.com/v1/models", provider: "openai", endpoint: nil),
        Case(url: "https://api.openai.com/v1/chat/completions/", provider: "openai", endpoint: "chat.completions"),
        Case(
            url: "https://myres.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21",
            provider: "azure-openai",
            endpoint: "chat.completions",
            deployment: "gpt4o-prod"
        ),
        Case(
            url: "https://myres.openai.azure.com/openai/deployments/emb/embeddings?api-version=2024-10-21",
            provider: "azure-openai",
            endpoint: "embeddings",
            deployment: "emb"
        ),
        Case(
            url: "https://myres.openai.azure.com/openai/deployments/my%20gpt-4o/chat/completions?api-version=2024-10-21",
            provider: "azure-openai",
            endpoint: "chat.completions",
            deployment: "my gpt-4o"
        ),
        Case(url: "https://myres.openai.azure.com/openai/v1/chat/completions", provider: "azure-openai", endpoint: "chat.completions"),
        Case(url: "https://api.anthropic.com/v1/messages", provider: "anthropic", endpoint: "messages"),
        Case(url: "https://api.anthropic.com/v1/chat/completions", provider: "anthropic", endpoint: "chat.completions"),
        Case(url: "https://llm-gateway.internal/anthropic/v1/messages", provider: "anthropic", endpoint: "messages"),
        Case(url: "https://api.deepseek.com/anthropic/v1/messages", provider: "deepseek", endpoint: "messages"),
        Case(
            url: "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent",
            provider: "gemini",
            endpoint: "generateContent",
            urlModel: "gemini-2.5-flash"
        ),
        Case(
            url: "https://generativelanguage.googleapis.com/v1/models/gemini-2.0-flash:streamGenerateContent?alt=sse",
            provider: "gemini",
            endpoint: "streamGenerateContent",
            urlModel: "gemini-2.0-flash"
        ),
        Case(
            url:
                "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro:streamGenerateContent",
            provider: "gemini",
            endpoint: "streamGenerateContent",
            urlModel: "gemini-2.5-pro"
        ),
        Case(
            url: "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions",
            provider: "gemini",
            endpoint: "chat.completions"
        ),
        Case(url: "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:countTokens", provider: "gemini", endpoint: nil),
        Case(url: "http://localhost:11434/api/chat", provider: "ollama", endpoint: "ollama.chat"),
        Case(url: "http://localhost:11434/api/generate", provider: "ollama", endpoint: "ollama.generate"),
        Case(url: "http://127.0.0.1:11434/api/embed", provider: "ollama", endpoint: "ollama.embed"),
        Case(url: "http://gpu-box:8000/api/chat", provider: "ollama", endpoint: "ollama.chat"),
        Case(url: "http://localhost:11434/v1/chat/completions", provider: "ollama", endpoint: "chat.completions"),
        Case(url: "https://api.groq.com/openai/v1/chat/completions", provider: "groq", endpoint: "chat.completions"),
        Case(url: "https://api.together.xyz/v1/chat/completions", provider: "together", endpoint: "chat.completions"),
        Case(url: "https://api.deepseek.com/chat/completions", provider: "deepseek", endpoint: "chat.completions"),
        Case(url: "https://api.mistral.ai/v1/chat/completions", provider: "mistral", endpoint: "chat.completions"),
        Case(url: "https://openrouter.ai/api/v1/chat/completions", provider: "openrouter", endpoint: "chat.completions"),
        Case(url: "https://api.x.ai/v1/chat/completions", provider: "xai", endpoint: "chat.completions"),
        Case(url: "https://API.OpenAI.com./v1/chat/completions", provider: "openai", endpoint: "chat.completions"),
        Case(url: "http://10.0.0.5:8000/v1/chat/completions", provider: "openai-compatible", endpoint: "chat.completions"),
        Case(url: "http://vllm.local/v1/completions", provider: "openai-compatible", endpoint: "completions"),
        // Unknown paths: the body's shape decides, the host refines.
        Case(
            url: "http://gateway.local/llm/invoke",
            body: #"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#,
            provider: "openai-compatible",
            endpoint: "chat.completions"
        ),
        Case(
            url: "http://gateway.local/llm/invoke",
            body: #"{"model":"m","max_tokens":5,"messages":[]}"#,
            headers: [HeaderField(name: "Anthropic-Version", value: "2023-06-01")],
            provider: "anthropic",
            endpoint: "messages"
        ),
        Case(
            url: "http://gateway.local/llm/invoke",
            body: #"{"contents":[{"parts":[{"text":"hi"}]}]}"#,
            provider: "gemini",
            endpoint: "generateContent"
        ),
        Case(
            url: "http://gateway.local/llm/invoke",
            body: #"{"model":"m","prompt":"once upon"}"#,
            provider: "openai-compatible",
            endpoint: "completions"
        ),
        Case(url: "https://api.mistral.ai/v1/ocr", body: #"{"model":"m","document":{}}"#, provider: "mistral", endpoint: nil),
        Case(url: "http://gateway.local/health", provider: nil, endpoint: nil),
        Case(url: "http://gateway.local/x", body: "not json", provider: nil, endpoint: nil),
    ]

    @Test(arguments: cases) func detects(_ c: Case) throws {
        let exchange = try makeExchange(c.url, request: c.body, response: "", requestHeaders: c.headers)
        let match = ProviderDetector.detect(route: exchange.route, requestHeaders: c.headers, requestBody: exchange.requestBody)
        #expect(match == ProviderMatch(provider: c.provider, endpoint: c.endpoint, urlModel: c.urlModel, deployment: c.deployment))
        let analysis = ExchangeAnalyzer.analyze(exchange)
        #expect(analysis.provider == c.provider)
        #expect(analysis.endpoint == c.endpoint)
    }

    @Test func hostProviders() {
        #expect(ProviderDetector.provider(forHost: "openrouter.ai", port: nil) == "openrouter")
        #expect(ProviderDetector.provider(forHost: "localhost", port: 11434) == "ollama")
        #expect(ProviderDetector.provider(forHost: "localhost", port: 8080) == nil)
        #expect(ProviderDetector.provider(forHost: "x.cognitiveservices.azure.com", port: nil) == "azure-openai")
    }
}
