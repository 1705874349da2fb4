import Foundation

/// What went wrong with an exchange: the proxy's own errors (`invalid_proxy_route`, `upstream_unreachable`,
/// `client_disconnected`, `upstream_failed`) or the provider's, as its error body or error event said.
public struct TraceError: Codable, Sendable, Equatable, Hashable {
    public var type: String
    public var message: String

    public init(type: String, message: String) {
        self.type = type
        self.message = message
    }
}

/// One captured exchange without its bodies and headers: what lists, filters, statistics and live
/// events carry. The JSON form is docs/API.md's "Summary" (camelCase, `null` for unknown values).
public struct TraceSummary: Codable, Sendable, Equatable {
    public var id: String
    public var env: String
    public var method: String
    public var scheme: String
    public var host: String
    /// Upstream path, starting with `/`, exactly as forwarded.
    public var path: String
    /// Raw query string without `?`, secrets redacted; `nil` when the URL had none.
    public var query: String?
    /// `openai`, `anthropic`, `gemini`, `ollama`, `azure-openai`, … or `nil` when not recognised.
    public var provider: String?
    /// `chat.completions`, `messages`, `generateContent`, … or `nil` when not recognised.
    public var endpoint: String?
    public var model: String?
    /// Where `model` came from: `response` (the model the response reported), `request` (the request
    /// body's), `url` (named in the URL, as Gemini does) or `deployment` (an Azure OpenAI deployment name
    /// from the path, used when neither response nor request named a model); `nil` when `model` is.
    public var modelSource: String?
    public var stream: Bool
    /// Upstream HTTP status, or the proxy's own (400, 502) when it answered itself; `nil` while waiting.
    public var status: Int?
    public var error: TraceError?
    public var startedAt: Date
    /// Milliseconds from the request's arrival to the last response byte; `nil` until finished.
    public var durationMs: Double?
    /// Milliseconds from the request's arrival to the first response body byte.
    public var ttftMs: Double?
    public var usage: Usage
    public var estimatedCost: Double?
    /// Visible assistant text (no thinking).
    public var text: String?
    public var toolCalls: [ToolCall]
    public var finishReason: String?
    /// `false` while the response is still streaming, or when it was cut off.
    public var complete: Bool
    /// The session (an agent run, a conversation) the exchange belongs to: named by the client
    /// (`x-llmtrace-session`, `/proxy/{env}+{session}/…`) or found by the proxy (a request whose messages
    /// extend an earlier request's); `nil` when it belongs to none.
    public var sessionId: String?
    /// The exchange's place in its session, from 1; `nil` outside a session.
    public var turn: Int?
    /// The record this exchange re-sent (`llmtrace replay`), when it is a replay.
    public var replayOf: String?

    public init(
        id: String,
        env: String,
        method: String,
        scheme: String,
        host: String,
        path: String,
        query: String? = nil,
        provider: String? = nil,
        endpoint: String? = nil,
        model: String? = nil,
        stream: Bool = false,
        status: Int? = nil,
        error: TraceError? = nil,
        startedAt: Date,
        durationMs: Double? = nil,
        ttftMs: Double? = nil,
        usage: Usage = .unknown,
        estimatedCost: Double? = nil,
        text: String? = nil,
        toolCalls: [ToolCall] = [],
        finishReason: String? = nil,
        complete: Bool = false
    ) {
        self.id = id
        self.env = env
        self.method = method
        self.scheme = scheme
        self.host = host
        self.path = path
        self.query = query
        self.provider = provider
        self.endpoint = endpoint
        self.model = model
        self.stream = stream
        self.status = status
        self.error = error
        self.startedAt = startedAt
        self.durationMs = durationMs
        self.ttftMs = ttftMs
        self.usage = usage
        self.estimatedCost = estimatedCost
        self.text = text
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.complete = complete
    }

    /// Whether the exchange failed: a proxy or provider error, or an HTTP status of 400 or more.
    public var isError: Bool { error != nil || (status ?? 0) >= 400 }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(env, forKey: .env)
        try c.encode(method, forKey: .method)
        try c.encode(scheme, forKey: .scheme)
        try c.encode(host, forKey: .host)
        try c.encode(path, forKey: .path)
        try c.encode(query, forKey: .query)
        try c.encode(provider, forKey: .provider)
        try c.encode(endpoint, forKey: .endpoint)
        try c.encode(model, forKey: .model)
        try c.encode(modelSource, forKey: .modelSource)
        try c.encode(stream, forKey: .stream)
        try c.encode(status, forKey: .status)
        try c.encode(error, forKey: .error)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(durationMs, forKey: .durationMs)
        try c.encode(ttftMs, forKey: .ttftMs)
        try c.encode(usage, forKey: .usage)
        try c.encode(estimatedCost, forKey: .estimatedCost)
        try c.encode(text, forKey: .text)
        try c.encode(toolCalls, forKey: .toolCalls)
        try c.encode(finishReason, forKey: .finishReason)
        try c.encode(complete, forKey: .complete)
        try c.encode(sessionId, forKey: .sessionId)
        try c.encode(turn, forKey: .turn)
        try c.encode(replayOf, forKey: .replayOf)
    }
}
