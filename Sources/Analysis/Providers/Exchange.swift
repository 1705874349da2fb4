import LLMTraceModel

/// One exchange as the proxy saw it, ready to be understood: what a provider extractor reads.
public struct Exchange: Sendable {
    public var method: String
    public var route: ProxyRoute
    public var requestHeaders: [HeaderField]
    /// Request body as captured (possibly cut at the capture limit).
    public var requestBody: [UInt8]
    public var status: Int?
    public var responseHeaders: [HeaderField]
    /// Response body as captured, content coding already removed.
    public var responseBody: [UInt8]

    public init(
        method: String,
        route: ProxyRoute,
        requestHeaders: [HeaderField],
        requestBody: [UInt8],
        status: Int?,
        responseHeaders: [HeaderField],
        responseBody: [UInt8]
    ) {
        self.method = method
        self.route = route
        self.requestHeaders = requestHeaders
        self.requestBody = requestBody
        self.status = status
        self.responseHeaders = responseHeaders
        self.responseBody = responseBody
    }

    /// The first value of a header, by case-insensitive name.
    public func responseHeader(_ name: String) -> String? {
        responseHeaders.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// What llmtrace understood of an exchange.
public struct ExchangeAnalysis: Sendable, Equatable {
    public var provider: String?
    public var endpoint: String?
    public var model: String?
    /// Where `model` came from: `response`, `request`, `url` (Gemini's `models/{model}:…`) or `deployment`
    /// (an Azure OpenAI deployment name from the path); `nil` when `model` is.
    public var modelSource: String?
    public var stream: Bool = false
    public var usage: Usage = .unknown
    public var text: String?
    public var toolCalls: [ToolCall] = []
    public var finishReason: String?
    /// Every choice's text and finish reason when the response had more than one (OpenAI's `n > 1`), else
    /// `nil`; `text`, `finishReason` and `toolCalls` are choice 0's.
    public var choices: [Choice]?
    public var error: TraceError?
    /// Reasoning / thinking text (Anthropic thinking blocks, Gemini thought parts, OpenAI reasoning),
    /// kept apart from `text`; `nil` when there was none.
    public var thinking: String?
    /// Whether the response ended properly: a stream reached its end marker (`[DONE]`, `message_stop`,
    /// a final chunk, `done: true`, a terminal Responses event) or a whole body parsed. `false` when cut off.
    public var complete: Bool = false

    public init() {}
}
