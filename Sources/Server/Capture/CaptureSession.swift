import CompressNIO
import Foundation
import NIOCore
import LLMTraceModel
import Analysis
import Synchronization

/// The capture of one proxied exchange, fed by the forwarding path as bytes pass.
///
/// Every method is cheap and never waits: it copies bytes into bounded buffers under a lock, feeds a
/// ``StreamAccumulator`` (which yields the new visible text of a stream for live subscribers), and hands
/// finished snapshots to the ``CapturePipeline``. The forwarding path calls it after writing each chunk
/// to the client, so understanding the traffic never delays it.
final class CaptureSession: Sendable {
    struct State: Sendable {
        var request: BodyCapture
        var response: BodyCapture
        var status: Int?
        var responseHeaders: [HeaderField] = []
        /// `responseHeaders` with secrets redacted, worked out once (the in-flight and the finished record
        /// share it), off the path of the response head.
        var storedResponseHeaders: [HeaderField]?
        var firstByteAt: ContinuousClock.Instant?
        var firstTextAt: ContinuousClock.Instant?
        /// Reads the response as it passes; `nil` before the first forwarded chunk, and for content-coded
        /// bodies (understood at the end).
        var accumulator: StreamAccumulator?
        /// Whether the first forwarded chunk set up the accumulator and announced the in-flight record.
        var reading = false
        var finished = false
        var clientGone = false
        /// The request body as stored, and the captured size it was built from: the in-flight and the
        /// finished record share one copy.
        var storedRequest: (size: Int, body: CapturedBody?)?

        mutating func redactedResponseHeaders() -> [HeaderField] {
            if let stored = storedResponseHeaders { return stored }
            let redacted = Redactor.redact(headers: responseHeaders)
            storedResponseHeaders = redacted
            return redacted
        }

        mutating func storedRequestBody() -> CapturedBody? {
            if let stored = storedRequest, stored.size == request.size { return stored.body }
            let body = request.size > 0 ? CapturedBody(bytes: request.bytes, size: request.size, truncated: request.truncated) : nil
            storedRequest = (request.size, body)
            return body
        }
    }

    let id: String
    let route: ProxyRoute
    let method: String
    let startedAt: Date
    let start: ContinuousClock.Instant
    let requestHeaders: [HeaderField]
    private let pipeline: CapturePipeline
    private let prices: PriceTable
    private let state: Mutex<State>

    init(id: String, route: ProxyRoute, method: String, requestHeaders: [HeaderField], maxBody: Int, prices: PriceTable, pipeline: CapturePipeline) {
        self.id = id
        self.route = route
        self.method = method
        self.startedAt = Date()
        self.start = .now
        self.requestHeaders = Redactor.redact(headers: requestHeaders)
        self.pipeline = pipeline
        self.prices = prices
        self.state = Mutex(State(request: BodyCapture(limit: maxBody), response: BodyCapture(limit: maxBody)))
        pipeline.begin(self)
    }

    deinit {
        // A path that forgot to finish (a task cancelled before the body was written) still ends the record.
        finish(error: TraceError(type: "abandoned", message: "the exchange ended without a response being written"), complete: false)
    }

    func requestChunk(_ buffer: ByteBuffer) {
        state.withLock { $0.request.append(buffer) }
    }

    /// Notes that reading the client's request body failed (the client went away).
    func markClientGone() {
        state.withLock { $0.clientGone = true }
    }

    var clientGone: Bool { state.withLock { $0.clientGone } }

    /// Response bytes forwarded so far.
    var responseBytes: Int { state.withLock { $0.response.size } }

    /// Notes the response head. Everything that reads it waits for the first forwarded chunk, so the
    /// head reaches the client first.
    func responseHead(status: Int, headers: [HeaderField]) {
        state.withLock { s in
            s.status = status
            s.responseHeaders = headers
        }
    }

    /// Marks the arrival of the first response byte (call before forwarding it).
    func responseStarted() {
        let now = ContinuousClock.now
        state.withLock { if $0.firstByteAt == nil { $0.firstByteAt = now } }
    }

    /// Takes a response chunk that was just forwarded. The first one also sets up the stream reader and
    /// announces the in-flight record (with its request body), off the path of the response head.
    func responseChunk(_ buffer: ByteBuffer) {
        let now = ContinuousClock.now
        let (delta, inFlight) = state.withLock { s -> (String, TraceRecord?) in
            var inFlight: TraceRecord?
            if !s.reading {
                s.reading = true
                s.accumulator = makeAccumulator(s)
                inFlight = inFlightRecord(&s)
            }
            s.response.append(buffer)
            // Past the capture limit only streams are still read (a cut buffered body cannot parse anyway).
            guard var acc = s.accumulator, !s.response.truncated || acc.isStreaming else { return ("", inFlight) }
            s.accumulator = nil
            let text = buffer.withUnsafeReadableBytes { acc.feed($0) }
            s.accumulator = acc
            if !text.isEmpty, s.firstTextAt == nil { s.firstTextAt = now }
            return (text, inFlight)
        }
        if let inFlight { pipeline.submit(inFlight) }
        if !delta.isEmpty { pipeline.delta(id: id, text: delta) }
    }

    /// A reader for an identity-coded response; content-coded ones are decoded and read at the end.
    private func makeAccumulator(_ s: State) -> StreamAccumulator? {
        let coding = s.responseHeaders.first { $0.name.caseInsensitiveCompare("content-encoding") == .orderedSame }?.value.lowercased()
        guard coding == nil || coding == "identity" else { return nil }
        return StreamAccumulator(
            method: method, route: route, requestHeaders: requestHeaders, requestBody: s.request.bytes, status: s.status,
            responseHeaders: s.responseHeaders)
    }

    /// The record while the response streams: request body, status and response headers known.
    private func inFlightRecord(_ s: inout State) -> TraceRecord {
        var summary = baseSummary()
        summary.status = s.status
        return TraceRecord(
            summary: summary, requestHeaders: requestHeaders, responseHeaders: s.redactedResponseHeaders(),
            requestBody: s.storedRequestBody())
    }

    /// Ends the capture. The first call wins; later calls do nothing.
    func finish(status: Int? = nil, error: TraceError? = nil, complete: Bool) {
        let end = ContinuousClock.now
        let snapshot: State? = state.withLock { s in
            guard !s.finished else { return nil }
            s.finished = true
            if let status { s.status = status }
            return s
        }
        guard let snapshot else { return }
        pipeline.end(record(from: snapshot, end: end, error: error, complete: complete))
    }

    /// The record as it stands before any response: submitted when the request starts.
    var startedRecord: TraceRecord {
        TraceRecord(summary: baseSummary(), requestHeaders: requestHeaders)
    }

    private func baseSummary() -> TraceSummary {
        TraceSummary(
            id: id, env: route.env, method: method, scheme: route.scheme, host: route.authority, path: route.path,
            query: route.query.map(Redactor.redact(query:)), startedAt: startedAt)
    }

    private func record(from s: State, end: ContinuousClock.Instant, error: TraceError?, complete: Bool) -> TraceRecord {
        var s = s
        let responseHeaders = s.redactedResponseHeaders()
        let coding = responseHeaders.first { $0.name == "content-encoding" }?.value.lowercased()
        let (decoded, decodedFrom) = Self.decode(s.response.bytes, coding: coding, limit: s.response.limit)

        var analysis: ExchangeAnalysis
        if var acc = s.accumulator {
            analysis = acc.finish()
        } else {
            analysis = ExchangeAnalyzer.analyze(
                Exchange(
                    method: method, route: route, requestHeaders: requestHeaders, requestBody: s.request.bytes, status: s.status,
                    responseHeaders: responseHeaders, responseBody: decoded ?? s.response.bytes))
        }

        var summary = baseSummary()
        summary.provider = analysis.provider
        summary.endpoint = analysis.endpoint
        summary.model = analysis.model
        summary.modelSource = analysis.modelSource
        summary.stream = analysis.stream
        summary.status = s.status
        summary.error = error ?? analysis.error
        summary.durationMs = Self.ms(end - start)
        // Time to first token: the first visible text of a stream, else the first byte.
        summary.ttftMs = (s.firstTextAt ?? s.firstByteAt).map { Self.ms($0 - start) }
        summary.usage = analysis.usage
        summary.estimatedCost = prices.cost(model: analysis.model, provider: analysis.provider, usage: analysis.usage)
        summary.text = analysis.text
        summary.toolCalls = analysis.toolCalls
        summary.finishReason = analysis.finishReason
        // A stream that ended without its end marker was cut off, even if the connection closed cleanly.
        summary.complete = complete && (!analysis.stream || analysis.complete || s.status.map { $0 >= 400 } == true)

        let requestBody = s.storedRequestBody()
        let responseBody: CapturedBody?
        if s.response.size == 0 {
            responseBody = nil
        } else if let decoded {
            responseBody = CapturedBody(bytes: decoded, size: s.response.size, truncated: s.response.truncated || decoded.count >= s.response.limit, decodedFrom: decodedFrom)
        } else {
            responseBody = CapturedBody(bytes: s.response.bytes, size: s.response.size, truncated: s.response.truncated)
        }
        return TraceRecord(
            summary: summary, requestHeaders: requestHeaders, responseHeaders: responseHeaders, requestBody: requestBody,
            responseBody: responseBody, choices: analysis.choices)
    }

    /// Removes a gzip or deflate content coding for storage. `nil` when there is none or it does not decode.
    static func decode(_ bytes: [UInt8], coding: String?, limit: Int) -> ([UInt8]?, String?) {
        guard let coding, !bytes.isEmpty else { return (nil, nil) }
        let algorithms: [CompressionAlgorithm]
        switch coding {
        case "gzip", "x-gzip": algorithms = [.gzip()]
        case "deflate": algorithms = [.zlib(), .deflate()]
        default: return (nil, nil)
        }
        for algorithm in algorithms {
            var buffer = ByteBuffer(bytes: bytes)
            if let out = try? buffer.decompress(with: algorithm, maxSize: limit) {
                return (Array(out.readableBytesView), coding)
            }
        }
        return (nil, nil)
    }

    static func ms(_ d: Duration) -> Double {
        let (s, atto) = d.components
        let ms = Double(s) * 1000 + Double(atto) / 1e15
        return (ms * 1000).rounded() / 1000
    }
}
