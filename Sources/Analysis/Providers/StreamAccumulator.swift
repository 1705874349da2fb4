import Foundation
import LLMTraceModel
import StreamDecoding

/// Understands a response as it passes through the proxy, piece by piece.
///
/// Create it from the request side and the response head, ``feed(_:)`` it the response body (content coding
/// already removed) in pieces of any size, and call ``finish()`` at the end. The result never depends on how
/// the body was cut into pieces. ``ExchangeAnalyzer/analyze(_:)`` is this, fed the whole body at once.
///
/// Streams (SSE, NDJSON, Gemini's JSON array) are understood event by event as they arrive; any other
/// body is kept and parsed at the end. A response with an HTTP error status is read as an error body.
public struct StreamAccumulator: Sendable {
    /// How the response body is framed.
    enum Framing: Sendable, Equatable {
        case sse, ndjson, jsonArray, buffered
    }

    /// Which extractor reads the response.
    enum Dialect: Sendable, Equatable {
        case openAIChat, openAIResponses, anthropic, gemini, ollama, ollamaEmbed
    }

    private let match: ProviderMatch
    private let dialect: Dialect?
    private let requestModel: String?
    private let stream: Bool
    private let status: Int?
    let framing: Framing

    private var sse = SSEDecoder()
    private var ndjson = NDJSONDecoder()
    private var jsonArray = JSONArrayStreamDecoder()
    private var buffer: [UInt8] = []
    private var state = ExtractionState()
    private var templates = EventTemplateCache()
    /// Whether hot events may skip JSON parsing through learned ``EventTemplate``s (tests turn it off to
    /// check that both paths agree).
    var usesEventTemplates = true
    /// Whether JSON is read by `JSONValueParser` before Foundation's `JSONSerialization`. Tests turn it off to
    /// check that both give the same result, and the decoder benchmark to measure what it saves.
    public var usesFastJSON = true

    /// Prepares to read the response of a request.
    /// - Parameters:
    ///   - method: The request method.
    ///   - route: The parsed proxy route (host, path and query decide provider and endpoint).
    ///   - requestHeaders: The request headers.
    ///   - requestBody: The request body as captured.
    ///   - status: The response status, `nil` when unknown.
    ///   - responseHeaders: The response headers (`content-type` decides the framing).
    public init(
        method: String,
        route: ProxyRoute,
        requestHeaders: [HeaderField],
        requestBody: [UInt8],
        status: Int?,
        responseHeaders: [HeaderField]
    ) {
        self.init(
            route: route,
            request: RequestTopLevel(route: route, requestHeaders: requestHeaders, requestBody: requestBody),
            status: status,
            responseHeaders: responseHeaders
        )
    }

    /// Prepares to read the response of a request whose top level was read already (only it matters here:
    /// a megabyte prompt costs one scan of its bytes, shared with the live preview, and no parse tree).
    /// - Parameters:
    ///   - route: The parsed proxy route (its query can ask for a stream).
    ///   - request: What the request's top level says.
    ///   - status: The response status, `nil` when unknown.
    ///   - responseHeaders: The response headers (`content-type` decides the framing).
    public init(route: ProxyRoute, request: RequestTopLevel, status: Int?, responseHeaders: [HeaderField]) {
        let match = request.match
        let dialect = Self.dialect(for: match.endpoint)
        let requestStream = request.stream == true
        let contentType =
            responseHeaders.first { $0.name.caseInsensitiveCompare("content-type") == .orderedSame }?.value.lowercased() ?? ""
        let framing = Self.framing(
            status: status,
            contentType: contentType,
            match: match,
            dialect: dialect,
            query: route.query,
            requestStream: requestStream
        )

        self.match = match
        self.dialect = dialect
        self.requestModel = request.model
        self.status = status
        self.framing = framing
        if dialect == .ollama, !Self.mentions(contentType, "ndjson") {
            // Ollama's native API streams unless the request says `"stream": false`; its one-object answer is read as NDJSON.
            self.stream = request.stream ?? true
        } else {
            self.stream = framing != .buffered || requestStream
        }
    }

    /// Prepares to read the response of a captured exchange (its response body is not read).
    public init(exchange: Exchange) {
        self.init(
            method: exchange.method,
            route: exchange.route,
            requestHeaders: exchange.requestHeaders,
            requestBody: exchange.requestBody,
            status: exchange.status,
            responseHeaders: exchange.responseHeaders
        )
    }

    /// Whether the body is read event by event (SSE, NDJSON, a JSON array stream) rather than kept whole.
    public var isStreaming: Bool { framing != .buffered }

    /// The model the response has named so far, `nil` until it does (read while a stream is in flight).
    public var responseModel: String? { state.model }

    /// Reads the next piece of the response body and returns the visible text it completed (empty when none).
    /// Text of a non-streamed body only appears in ``finish()``.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> String {
        switch framing {
        case .buffered:
            buffer.append(contentsOf: bytes)
        case .sse:
            var decoder = sse
            sse = SSEDecoder()
            decoder.decode(bytes) { handleSSE($0) }
            sse = decoder
        case .ndjson:
            var decoder = ndjson
            ndjson = NDJSONDecoder()
            decoder.decode(bytes) { handleLine($0) }
            ndjson = decoder
        case .jsonArray:
            var decoder = jsonArray
            jsonArray = JSONArrayStreamDecoder()
            decoder.decode(bytes) { element in element.withUnsafeBufferPointer { handleLine($0) } }
            jsonArray = decoder
        }
        return state.takeNewText()
    }

    /// Ends the response and returns what was understood. A stream that did not reach its end marker is
    /// reported with `complete == false` and the text received so far. An unterminated final event or line
    /// is still read when its data is whole JSON (a JSON object cannot be a cut-off prefix).
    public mutating func finish() -> ExchangeAnalysis {
        switch framing {
        case .buffered:
            finishBuffered()
        case .sse:
            if let event = sse.finishRaw() { handleSSE(event) }
        case .ndjson:
            if let line = ndjson.finish() { line.withUnsafeBufferPointer { handleLine($0) } }
        case .jsonArray:
            if let element = jsonArray.finish() { element.withUnsafeBufferPointer { handleLine($0) } }
        }
        _ = state.takeNewText()
        if dialect == .anthropic { state.usage = state.anthropicUsage.usage }

        var a = ExchangeAnalysis()
        a.provider = match.provider
        a.endpoint = match.endpoint
        let sources: [(String?, String)] = [
            (state.model, "response"), (requestModel, "request"), (match.urlModel, "url"), (match.deployment, "deployment"),
        ]
        if let (model, source) = sources.first(where: { $0.0 != nil }) {
            a.model = model
            a.modelSource = source
        }
        a.stream = stream
        a.usage = state.usage
        a.text = state.text.isEmpty ? nil : state.text
        a.thinking = state.thinking.isEmpty ? nil : state.thinking
        a.toolCalls = state.tools.toolCalls
        a.finishReason = state.finishReason
        a.choices = state.choices
        a.error = state.error
        a.complete = state.complete
        return a
    }

    // MARK: - Events

    private static let done: [UInt8] = Array("[DONE]".utf8)

    private mutating func handleSSE(_ event: SSEDecoder.RawEvent) {
        if event.data == Self.done {
            state.complete = true
            return
        }
        event.data.withUnsafeBufferPointer { handleLine($0) }
    }

    /// Reads one streamed JSON object (an SSE event's data, an NDJSON line or a JSON array element).
    private mutating func handleLine(_ bytes: UnsafeBufferPointer<UInt8>) {
        if usesEventTemplates, templates.apply(bytes, to: &state) { return }
        guard let json = JSONAccess.parse(bytes, fast: usesFastJSON) else { return }
        guard let object = json as? [String: Any] else {
            if let e = ErrorBodyParser.error(in: json) { state.error = e }
            return
        }
        switch dialect {
        case .openAIChat: OpenAIChatExtractor.chunk(object, into: &state)
        case .openAIResponses: OpenAIResponsesExtractor.event(object, into: &state)
        case .anthropic: AnthropicExtractor.event(object, into: &state)
        case .gemini: GeminiExtractor.chunk(object, into: &state)
        case .ollama, .ollamaEmbed: OllamaExtractor.chunk(object, into: &state)
        case nil: if let e = ErrorBodyParser.error(in: object) { state.error = e }
        }
        if usesEventTemplates, let shape = hotShape(object) { templates.learn(bytes, shape: shape) }
    }

    /// The extractor's hot shape for a streamed object, if the event is a plain text delta.
    private func hotShape(_ object: [String: Any]) -> EventTemplate.Shape? {
        switch dialect {
        case .openAIChat: OpenAIChatExtractor.hotShape(object)
        case .openAIResponses: OpenAIResponsesExtractor.hotShape(object)
        case .anthropic: AnthropicExtractor.hotShape(object)
        case .ollama: OllamaExtractor.hotShape(object)
        case .gemini: GeminiExtractor.hotShape(object)
        case .ollamaEmbed, nil: nil
        }
    }

    private mutating func finishBuffered() {
        if let status, status >= 400 {
            state.error = ErrorBodyParser.error(body: buffer, status: status, fastJSON: usesFastJSON)
            state.complete = true
            return
        }
        guard let json = JSONAccess.parse(buffer, fast: usesFastJSON) else {
            // Not JSON: maybe a stream sent without a telling content-type.
            if Self.looksLikeSSE(buffer) {
                var decoder = SSEDecoder()
                decoder.decode(buffer) { handleSSE($0) }
                if let event = decoder.finishRaw() { handleSSE(event) }
            }
            return
        }
        guard let object = json as? [String: Any] else {
            if let e = ErrorBodyParser.error(in: json) { state.error = e }
            if dialect == .gemini, let chunks = json as? [Any] {  // a streamed array sent whole
                for case let chunk as [String: Any] in chunks { GeminiExtractor.chunk(chunk, into: &state) }
            }
            state.complete = true
            return
        }
        switch dialect {
        case .openAIChat: OpenAIChatExtractor.body(object, into: &state)
        case .openAIResponses: OpenAIResponsesExtractor.body(object, into: &state)
        case .anthropic: AnthropicExtractor.body(object, into: &state)
        case .gemini:
            GeminiExtractor.chunk(object, into: &state)
            state.complete = true
        case .ollama: OllamaExtractor.chunk(object, into: &state)
        case .ollamaEmbed: OllamaExtractor.embedBody(object, into: &state)
        case nil:
            if let e = ErrorBodyParser.error(in: object) { state.error = e }
            state.noteModel(object["model"])
            state.complete = true
        }
    }

    // MARK: - Setup

    private static func dialect(for endpoint: String?) -> Dialect? {
        switch endpoint {
        case "chat.completions", "completions", "embeddings": return .openAIChat
        case "responses": return .openAIResponses
        case "messages": return .anthropic
        case "generateContent", "streamGenerateContent": return .gemini
        case "ollama.chat", "ollama.generate": return .ollama
        case "ollama.embed": return .ollamaEmbed
        default: return nil
        }
    }

    private static func framing(
        status: Int?,
        contentType: String,
        match: ProviderMatch,
        dialect: Dialect?,
        query: String?,
        requestStream: Bool
    ) -> Framing {
        if let status, status >= 400 { return .buffered }
        if contentType.hasPrefix("text/event-stream") { return .sse }
        if match.endpoint == "streamGenerateContent" {
            let altSSE = (query ?? "").split(separator: "&").contains { $0.lowercased() == "alt=sse" }
            return altSSE ? .sse : .jsonArray
        }
        if Self.mentions(contentType, "ndjson") || Self.mentions(contentType, "jsonl") || dialect == .ollama {
            return .ndjson
        }
        if contentType.isEmpty, requestStream, dialect != nil, dialect != .ollamaEmbed { return .sse }
        return .buffered
    }

    /// Whether `text` contains `word` (a byte search: the generic `contains` and Foundation's were a
    /// measurable part of analysing a small answer).
    private static func mentions(_ text: String, _ word: StaticString) -> Bool {
        let bytes = Array(text.utf8)
        let target = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard bytes.count >= target.count else { return false }
        return (0...(bytes.count - target.count)).contains { bytes[$0..<($0 + target.count)].elementsEqual(target) }
    }

    private static func looksLikeSSE(_ bytes: [UInt8]) -> Bool {
        let head = String(decoding: bytes.prefix(16), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return head.hasPrefix("data:") || head.hasPrefix("event:") || head.hasPrefix(":") || head.hasPrefix("id:")
    }
}
