import LLMTraceModel

/// What a request says about itself before any response arrives: provider, endpoint, the model it asks
/// for and whether it asks for a stream.
///
/// Built from the route, the headers and the request body with ``TopLevelJSONScan``, which reads only the
/// body's top-level keys (no parse tree): cheap enough for the live view of every request, even one
/// with a megabyte prompt. The finished record's analysis (``StreamAccumulator``) has the last word.
public struct RequestPreview: Sendable, Equatable {
    /// As ``ProviderMatch/provider``.
    public var provider: String?
    /// As ``ProviderMatch/endpoint``.
    public var endpoint: String?
    /// The model the request names (`model` in the body), else the URL's (Gemini, Azure deployments).
    public var model: String?
    /// Whether the request asks for a streamed answer.
    public var stream: Bool

    /// Creates a preview from parts.
    public init(provider: String? = nil, endpoint: String? = nil, model: String? = nil, stream: Bool = false) {
        self.provider = provider
        self.endpoint = endpoint
        self.model = model
        self.stream = stream
    }

    /// Reads a request: its route, headers and (possibly truncated) body.
    public init(route: ProxyRoute, requestHeaders: [HeaderField], requestBody: [UInt8]) {
        self.init(RequestTopLevel(route: route, requestHeaders: requestHeaders, requestBody: requestBody))
    }

    /// What `request`'s top level says.
    public init(_ request: RequestTopLevel) {
        provider = request.match.provider
        endpoint = request.match.endpoint
        model = request.model ?? request.match.urlModel
        switch request.match.endpoint {
        case "streamGenerateContent": stream = true
        // Ollama's native API streams unless the request says `"stream": false`.
        case "ollama.chat", "ollama.generate": stream = request.stream ?? true
        default: stream = request.stream ?? false
        }
    }
}
