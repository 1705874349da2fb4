import LLMTraceModel

/// What a request's top level says about it: the provider and endpoint its route, headers and body keys
/// point to, and the `model` and `stream` its body names.
///
/// Read with ``TopLevelJSONScan`` (one pass over the bytes, no parse tree), once per exchange: the live
/// ``RequestPreview`` and the ``StreamAccumulator`` both start from it.
public struct RequestTopLevel: Sendable, Equatable {
    /// The provider and endpoint recognised.
    public let match: ProviderMatch
    /// The body's `model`, when it is a non-empty string.
    public let model: String?
    /// The body's `stream`, when it is a boolean.
    public let stream: Bool?

    /// Reads a request: its route, headers and (possibly truncated) body.
    public init(route: ProxyRoute, requestHeaders: [HeaderField], requestBody: [UInt8]) {
        let scan = TopLevelJSONScan(requestBody)
        match = ProviderDetector.detect(route: route, requestHeaders: requestHeaders, requestJSON: scan.shape)
        model = scan.model
        stream = scan.stream
    }
}
