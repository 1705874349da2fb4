import Analysis
import CompressNIO
import Foundation
import LLMTraceModel
import NIOCore
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
        /// Whether the request body ended and its preview was asked for.
        var previewAsked = false
        /// What the request says about itself, once its body was read.
        var preview: RequestPreview?
        /// The request's top level, read once its body ended: the preview and the stream reader share it.
        var topLevel: RequestTopLevel?
        /// Whether the response head was forwarded: status and framing are then published.
        var headForwarded = false
        /// Whether the response head announces a stream (SSE, NDJSON).
        var streamingHead = false
        /// The model the response named, once it did.
        var responseModel: String?
        /// What the last `request.updated` said, so that only changes are published.
        var published: LiveFacts?
        /// When the client's request body ended (or was found to be absent).
        var bodyEndedAt: ContinuousClock.Instant?
        /// Time spent waiting for new upstream connections before the request went.
        var connectWait = Duration.zero
        /// The time llmtrace added before the request went upstream (``ExchangeTiming/overhead``).
        var overhead: Duration?

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

    /// The facts a `request.updated` event carries about a request in flight.
    struct LiveFacts: Sendable, Equatable {
        var provider: String?
        var endpoint: String?
        var model: String?
        var stream = false
        var status: Int?
    }

    let id: String
    let route: ProxyRoute
    let method: String
    let startedAt: Date
    let start: ContinuousClock.Instant
    let requestHeaders: [HeaderField]
    /// The record this exchange re-sends (`llmtrace replay` sends `x-llmtrace-replay-of`).
    let replayOf: String?
    /// Where the record goes; `nil` for an exchange that is forwarded but not recorded (the forward
    /// proxy's plain-HTTP requests to hosts off its capture list).
    private let pipeline: CapturePipeline?

    /// Whether the exchange is recorded.
    var isRecorded: Bool { pipeline != nil }
    private let prices: PriceTable
    private let state: Mutex<State>
    /// The session the exchange was put in: `.none` until worked out, then `nil` when it belongs to none.
    /// Worked out once, under this lock (not the state's: reading a long conversation takes a while).
    private let session = Mutex<SessionTracker.Assignment??>(.none)

    init(id: String, route: ProxyRoute, method: String, requestHeaders: [HeaderField], maxBody: Int, prices: PriceTable, pipeline: CapturePipeline?) {
        self.id = id
        self.route = route
        self.method = method
        self.startedAt = Date()
        self.start = .now
        self.requestHeaders = Redactor.redact(headers: requestHeaders)
        self.replayOf = requestHeaders.first { $0.name == ProxyHandler.replayHeader.canonicalName }
            .map(\.value).flatMap { RecordIDGenerator.isWellFormed($0) ? $0 : nil }
        self.pipeline = pipeline
        self.prices = prices
        self.state = Mutex(State(request: BodyCapture(limit: maxBody), response: BodyCapture(limit: maxBody)))
        // A named session needs no body: the started record carries it.
        if route.session != nil { _ = assignSession(body: []) }
        pipeline?.begin(self)
    }

    deinit {
        // A path that forgot to finish (a task cancelled before the body was written) still ends the record.
        finish(error: TraceError(type: "abandoned", message: "the exchange ended without a response being written"), complete: false)
    }

    func requestChunk(_ buffer: ByteBuffer) {
        state.withLock { $0.request.append(buffer) }
    }

    /// Notes that the client's request body was read to its end (or that there is none). What it says
    /// (provider, endpoint, model, stream) is worked out on a task of its own, off the forwarding path,
    /// and published as `request.updated`.
    func requestBodyEnded() {
        let now = ContinuousClock.now
        let ask = state.withLock { s -> Bool in
            if s.bodyEndedAt == nil { s.bodyEndedAt = now }
            defer { s.previewAsked = true }
            return !s.previewAsked
        }
        guard ask else { return }
        Task { self.readPreview() }
    }

    private func readPreview() {
        let (bytes, known, finished) = state.withLock { ($0.request.bytes, $0.topLevel, $0.finished) }
        guard !finished else { return }
        _ = assignSession(body: bytes)
        let topLevel = known ?? RequestTopLevel(route: route, requestHeaders: requestHeaders, requestBody: bytes)
        state.withLock { s in
            if s.topLevel == nil { s.topLevel = topLevel }
            s.preview = RequestPreview(topLevel)
            // The in-flight record gets the request body now, so the detail shows the prompt at once.
            _ = s.storedRequestBody()
            publishLive(&s, record: true)
        }
    }

    /// The exchange's session, worked out from `body` the first time (later calls return the first answer).
    private func assignSession(body: [UInt8]) -> SessionTracker.Assignment? {
        guard let sessions = pipeline?.sessions else { return nil }
        return session.withLock { slot in
            if case .some(let known) = slot { return known }
            let assigned = sessions.assign(recordID: id, env: route.env, named: route.session, isReplay: replayOf != nil, body: body)
            slot = .some(assigned)
            return assigned
        }
    }

    /// Notes that the response head was forwarded to the client: its status and whether it streams are
    /// published (the head reached the client first), unless `publishing` is false: an answer forwarded
    /// whole is finished at once, and its in-flight version would be replaced before anyone could read it.
    func responseHeadForwarded(publishing: Bool = true) {
        state.withLock { s in
            s.headForwarded = true
            let type = s.responseHeaders.first { $0.name.caseInsensitiveCompare("content-type") == .orderedSame }?.value.lowercased() ?? ""
            s.streamingHead = type.hasPrefix("text/event-stream") || type.contains("ndjson") || type.contains("jsonl")
            guard publishing else { return }
            // The in-flight record with the response headers (and the request body, once it was read).
            if s.previewAsked { _ = s.storedRequestBody() }
            publishLive(&s, record: true)
        }
    }

    /// What is known about the request in flight.
    private func liveFacts(_ s: State) -> LiveFacts {
        var f = LiveFacts()
        if let p = s.preview {
            f.provider = p.provider
            f.endpoint = p.endpoint
            f.model = p.model
            f.stream = p.stream
        }
        if let m = s.responseModel { f.model = m }
        if s.headForwarded {
            f.status = s.status
            if s.streamingHead || s.accumulator?.isStreaming == true { f.stream = true }
        }
        return f
    }

    /// The summary of the request in flight, as far as it is known.
    private func liveSummary(_ f: LiveFacts) -> TraceSummary {
        var summary = baseSummary()
        summary.provider = f.provider
        summary.endpoint = f.endpoint
        summary.model = f.model
        summary.stream = f.stream
        summary.status = f.status
        return summary
    }

    /// Publishes `request.updated` and the in-flight record when what is known changed (with `record`,
    /// saves the in-flight record even if not). Called under the session's lock, so updates reach the
    /// pipeline and the hub in order, and never after the end.
    private func publishLive(_ s: inout State, record: Bool = false) {
        guard !s.finished, let pipeline else { return }
        let facts = liveFacts(s)
        let changed = facts != s.published
        guard changed || record else { return }
        s.published = facts
        let body = s.storedRequest.flatMap { $0.size == s.request.size ? $0.body : nil }
        let headers = s.headForwarded ? s.redactedResponseHeaders() : []
        let inFlight = TraceRecord(summary: liveSummary(facts), requestHeaders: requestHeaders, responseHeaders: headers, requestBody: body)
        if changed { pipeline.update(inFlight) } else { pipeline.submit(inFlight) }
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

    /// Notes time spent waiting for a new upstream connection (not llmtrace's own time).
    func upstreamConnectWaited(_ wait: Duration) {
        state.withLock { $0.connectWait += wait }
    }

    /// Notes that the request's head was written to the upstream (or handed to the upstream client): the
    /// first call measures ``ExchangeTiming/overhead``, from the arrival, less the wait for a body that goes
    /// whole (it ended before this) and for new upstream connections.
    func requestSentUpstream() {
        let now = ContinuousClock.now
        state.withLock { s in
            guard s.overhead == nil else { return }
            let ready = s.bodyEndedAt.map { max($0, start) } ?? start
            s.overhead = max(.zero, now - ready - s.connectWait)
        }
    }

    /// Marks the arrival of the first response byte (call before forwarding it).
    func responseStarted() {
        let now = ContinuousClock.now
        state.withLock { if $0.firstByteAt == nil { $0.firstByteAt = now } }
    }

    /// Takes a response chunk that was just forwarded. The first one also sets up the stream reader.
    func responseChunk(_ buffer: ByteBuffer) {
        let now = ContinuousClock.now
        let delta = state.withLock { s -> String in
            if !s.reading {
                // The head was forwarded and published before the first chunk (responseHeadForwarded).
                s.reading = true
                s.accumulator = makeAccumulator(&s)
            }
            s.response.append(buffer)
            // Past the capture limit only streams are still read (a cut buffered body cannot parse anyway).
            guard let streaming = s.accumulator?.isStreaming, !s.response.truncated || streaming else { return "" }
            // Fed where it is stored (optional chaining mutates in place): no copy of the reader per chunk.
            let text = buffer.withUnsafeReadableBytes { s.accumulator?.feed($0) } ?? ""
            if s.responseModel == nil, let model = s.accumulator?.responseModel {
                // The response named its model: shown from now on instead of the request's.
                s.responseModel = model
                publishLive(&s)
            }
            if !text.isEmpty, s.firstTextAt == nil { s.firstTextAt = now }
            return text
        }
        if !delta.isEmpty { pipeline?.delta(id: id, text: delta) }
    }

    /// A reader for an identity-coded response; content-coded ones are decoded and read at the end.
    private func makeAccumulator(_ s: inout State) -> StreamAccumulator? {
        let coding = s.responseHeaders.first { $0.name.caseInsensitiveCompare("content-encoding") == .orderedSame }?.value.lowercased()
        guard coding == nil || coding == "identity" else { return nil }
        // Read once the body ended, and kept for the preview; a body still arriving is read as far as it came.
        let topLevel = s.topLevel ?? RequestTopLevel(route: route, requestHeaders: requestHeaders, requestBody: s.request.bytes)
        if s.previewAsked, s.topLevel == nil { s.topLevel = topLevel }
        return StreamAccumulator(route: route, request: topLevel, status: s.status, responseHeaders: s.responseHeaders)
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
        guard let snapshot, let pipeline else { return }
        pipeline.end(record(from: snapshot, end: end, error: error, complete: complete), timing: ExchangeTiming(overhead: snapshot.overhead))
    }

    /// The record as it stands before any response: submitted when the request starts.
    var startedRecord: TraceRecord {
        TraceRecord(summary: baseSummary(), requestHeaders: requestHeaders)
    }

    private func baseSummary() -> TraceSummary {
        var summary = TraceSummary(
            id: id,
            env: route.env,
            method: method,
            scheme: route.scheme,
            host: route.authority,
            path: route.path,
            query: route.query.map(Redactor.redact(query:)),
            startedAt: startedAt
        )
        summary.replayOf = replayOf
        if case .some(let assigned?) = session.withLock({ $0 }) {
            summary.sessionId = assigned.sessionId
            summary.turn = assigned.turn
        }
        return summary
    }

    private func record(from s: State, end: ContinuousClock.Instant, error: TraceError?, complete: Bool) -> TraceRecord {
        var s = s
        _ = assignSession(body: s.request.bytes)
        let responseHeaders = s.redactedResponseHeaders()
        let coding = responseHeaders.first { $0.name == "content-encoding" }?.value.lowercased()
        let (decoded, decodedFrom) = Self.decode(s.response.bytes, coding: coding, limit: s.response.limit)

        var analysis: ExchangeAnalysis
        if var acc = s.accumulator {
            analysis = acc.finish()
        } else {
            analysis = ExchangeAnalyzer.analyze(
                Exchange(
                    method: method,
                    route: route,
                    requestHeaders: requestHeaders,
                    requestBody: s.request.bytes,
                    status: s.status,
                    responseHeaders: responseHeaders,
                    responseBody: decoded ?? s.response.bytes
                )
            )
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
            responseBody = CapturedBody(
                bytes: decoded,
                size: s.response.size,
                truncated: s.response.truncated || decoded.count >= s.response.limit,
                decodedFrom: decodedFrom
            )
        } else {
            responseBody = CapturedBody(bytes: s.response.bytes, size: s.response.size, truncated: s.response.truncated)
        }
        return TraceRecord(
            summary: summary,
            requestHeaders: requestHeaders,
            responseHeaders: responseHeaders,
            requestBody: requestBody,
            responseBody: responseBody,
            choices: analysis.choices
        )
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
