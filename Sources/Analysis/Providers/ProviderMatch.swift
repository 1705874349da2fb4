import LLMTraceModel

/// Which provider and endpoint an exchange is, as ``ProviderDetector`` recognised it.
public struct ProviderMatch: Sendable, Equatable, Hashable {
    /// `openai`, `azure-openai`, `anthropic`, `gemini`, `ollama`, `groq`, `together`, `deepseek`, `mistral`,
    /// `openrouter`, `xai`, `openai-compatible`; `nil` when neither the request nor the host was recognised.
    public var provider: String?
    /// `chat.completions`, `completions`, `responses`, `embeddings`, `messages`, `generateContent`,
    /// `streamGenerateContent`, `ollama.chat`, `ollama.generate`, `ollama.embed`; `nil` when not recognised.
    public var endpoint: String?
    /// The model named in the URL (Gemini's `models/{model}:…`), if any.
    public var urlModel: String?
    /// The Azure OpenAI deployment named in the path (`/openai/deployments/{deployment}/…`), if any: the
    /// model of last resort, when neither the response nor the request names one.
    public var deployment: String?

    /// Creates a match.
    public init(provider: String? = nil, endpoint: String? = nil, urlModel: String? = nil, deployment: String? = nil) {
        self.provider = provider
        self.endpoint = endpoint
        self.urlModel = urlModel
        self.deployment = deployment
    }
}
