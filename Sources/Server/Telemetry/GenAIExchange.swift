import Analysis
import Foundation
import LLMTraceModel

/// What an exchange says in the OpenTelemetry GenAI semantic conventions: the operation, the provider
/// under its registered name, the requested and answering models, the upstream server, token usage,
/// finish reasons and the error type. Worked out off the forwarding path, on the exporter's task.
struct GenAIExchange: Sendable, Equatable {
    /// `gen_ai.operation.name`: `chat`, `generate_content`, `text_completion`, `embeddings`, or the
    /// endpoint llmtrace recognised when none of those fits (`other` when it recognised none).
    var operationName: String
    /// `gen_ai.provider.name`: `openai`, `anthropic`, `gcp.gemini`, `azure.ai.openai`, `mistral_ai`, `x_ai`, …
    var providerName: String
    /// `gen_ai.request.model`: the model the request asked for.
    var requestModel: String?
    /// `gen_ai.response.model`: the model the response named.
    var responseModel: String?
    /// `server.address` and `server.port`: the upstream the request really went to.
    var serverAddress: String
    var serverPort: Int?
    var inputTokens: Int?
    var outputTokens: Int?
    /// `gen_ai.response.finish_reasons`, one per choice.
    var finishReasons: [String]
    /// `error.type`: the proxy's or provider's error type, else the HTTP status of a failed exchange.
    var errorType: String?

    init(_ record: TraceRecord) {
        let s = record.summary
        operationName = Self.operationName(endpoint: s.endpoint)
        providerName = Self.providerName(s.provider)
        switch s.modelSource {
        case "response":
            responseModel = s.model
            requestModel = Self.requestBodyModel(record.requestBody) ?? s.model
        default:
            requestModel = s.model
            responseModel = nil
        }
        if let (host, port) = try? ProxyRoute.parseAuthority(Substring(s.host)) {
            serverAddress = host
            serverPort = port ?? (s.scheme == "https" ? 443 : 80)
        } else {
            serverAddress = s.host
            serverPort = nil
        }
        inputTokens = s.usage.inputTokens
        outputTokens = s.usage.outputTokens
        if let choices = record.choices {
            finishReasons = choices.compactMap(\.finishReason)
        } else {
            finishReasons = s.finishReason.map { [$0] } ?? []
        }
        if let error = s.error {
            errorType = error.type
        } else if let status = s.status, status >= 400 {
            errorType = String(status)
        } else if s.status == nil {
            errorType = "no_response"
        } else {
            errorType = nil
        }
    }

    /// The span's name: `{operation} {model}`, as the conventions ask.
    var spanName: String {
        requestModel.map { "\(operationName) \($0)" } ?? operationName
    }

    /// The conventions' operation for an endpoint llmtrace recognised.
    static func operationName(endpoint: String?) -> String {
        switch endpoint {
        case "chat.completions", "messages", "responses", "ollama.chat": "chat"
        case "generateContent", "streamGenerateContent": "generate_content"
        case "completions", "ollama.generate": "text_completion"
        case "embeddings", "ollama.embed", "embedContent", "batchEmbedContents": "embeddings"
        case .some(let other): other
        case nil: "other"
        }
    }

    /// The conventions' provider name for llmtrace's provider id.
    static func providerName(_ provider: String?) -> String {
        switch provider {
        case "gemini": "gcp.gemini"
        case "azure-openai": "azure.ai.openai"
        case "mistral": "mistral_ai"
        case "xai": "x_ai"
        case .some(let p): p
        case nil: "unknown"
        }
    }

    /// The `model` at the top of a JSON request body, if it has one.
    static func requestBodyModel(_ body: CapturedBody?) -> String? {
        guard let body, !body.bytes.isEmpty,
            let object = try? JSONSerialization.jsonObject(with: Data(body.bytes)) as? [String: Any]
        else { return nil }
        return object["model"] as? String
    }
}
