import Analysis
import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import LLMTraceModel
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// Forwards `/proxy/{env}/{scheme}/{host}/{path}` requests upstream and streams the answer back,
/// chunk by chunk, while a ``CaptureSession`` records the exchange on the side.
struct ProxyHandler: Sendable {
    let client: HTTPClient
    /// Opens a new connection for every request: where a request goes again after a kept-alive
    /// connection of ``client`` turned out closed.
    let freshClient: HTTPClient
    let pipeline: CapturePipeline
    let prices: PriceTable
    let ids: RecordIDGenerator
    let maxBody: Int
    /// Longest wait for the upstream's response head (a non-streamed completion can take minutes).
    let headTimeout: TimeAmount
    let logger: Logger
    /// Decides where each upstream connection goes (the upstream policy).
    let upstreams: UpstreamGate
    /// Shared mode: forwards only registered environments, with their ingest key when they require one.
    var gate: EnvironmentGate? = nil

    static let idHeader = HTTPField.Name("x-llmtrace-id")!
    /// The header an ingest key may come in; never forwarded, never recorded.
    static let keyHeader = HTTPField.Name("x-llmtrace-key")!
    /// The header a client names its session in (`x-llmtrace-session: run-42`); never forwarded.
    static let sessionHeader = HTTPField.Name("x-llmtrace-session")!
    /// The header `llmtrace replay` names the replayed record in; never forwarded.
    static let replayHeader = HTTPField.Name("x-llmtrace-replay-of")!

    /// The session `fields` name in `x-llmtrace-session`, if any. Fails on one that is not a session id.
    static func sessionHeaderValue(_ fields: HTTPFields) throws(ProxyRouteError) -> String? {
        try fields[sessionHeader].map { header throws(ProxyRouteError) in
            try ProxyRoute.checkedSession(Substring(header.trimmingCharacters(in: .whitespaces)))
        }
    }

    /// `route` with the session the request names: its `x-llmtrace-session` header, else the route's own
    /// (`/proxy/{env}+{session}/…`). Fails on a header that is not a session id.
    static func withNamedSession(_ route: ProxyRoute, _ fields: HTTPFields) -> Result<ProxyRoute, ProxyRouteError> {
        Result { () throws(ProxyRouteError) in
            var route = route
            if let named = try sessionHeaderValue(fields) { route.session = named }
            return route
        }
    }
    static let clientLeft = TraceError(type: "client_disconnected", message: "the client closed the connection before the response ended")

    /// Forwards one request and answers with the upstream's response, or with an ``APIError`` body
    /// (encoded by `context`'s encoder) when the route does not parse or the upstream cannot answer.
    func handle(_ request: Request, context: AppRequestContext) async -> Response {
        let target = request.head.path ?? "/"
        let headerKey = request.headers[Self.keyHeader]
        let headers = Self.recordedHeaders(request.headers)
        let route: ProxyRoute
        do {
            route = try Self.withNamedSession(try ProxyRoute.parse(target), request.headers).get()
        } catch {
            // The route may hold a key (`{env}:{key}`): keep it out of the record.
            return rejectRoute(request: request, context: context, target: ProxyRoute.redactingKey(target), headers: headers, error: error)
        }
        var environmentAllow: [UpstreamPattern] = []
        if let gate {
            switch await gate.check(env: route.env, key: route.ingestKey ?? headerKey) {
            case .forward(let allow): environmentAllow = allow
            case .unknownEnvironment:
                return APIError(
                    status: .notFound,
                    type: "unknown_environment",
                    message: "no environment '\(route.env)' is registered on this llmtrace: a team admin creates it (POST /admin/environments)"
                ).response(to: request, context: context)
            case .invalidKey:
                return APIError(
                    status: .unauthorized,
                    type: "invalid_ingest_key",
                    message:
                        "the environment '\(route.env)' requires its ingest key: put it in the base URL as /proxy/\(route.env):<key>/… or send it as x-llmtrace-key"
                ).response(to: request, context: context)
            case .unavailable(let why):
                logger.error("proxy: \(why)")
                return APIError(status: .serviceUnavailable, type: "store_unavailable", message: why).response(to: request, context: context)
            }
        }

        let session = captureSession(route: route, method: request.method, headers: headers)
        let destination: (url: String, host: String?)
        switch await upstreams.admit(route, environment: environmentAllow) {
        case .connect(let url, let host):
            destination = (url, host)
        case .refuse(let refusal):
            session.finish(status: refusal.status.code, error: TraceError(type: refusal.type, message: refusal.message), complete: true)
            logger.notice("proxy \(session.id) from \(context.origin): \(refusal.message)")
            return APIError(status: refusal.status, type: refusal.type, message: refusal.message, headers: [Self.idHeader: session.id])
                .response(to: request, context: context)
        }
        return await forward(request, context: context, route: route, target: destination, session: session)
    }

    /// How the client's request body goes upstream.
    private enum UpstreamBody {
        /// There is none.
        case none
        /// Read whole first (and captured): the request can go twice.
        case whole(ByteBuffer)
        /// Sent as it arrives, captured as it passes; `gate` keeps Hummingbird from reading it meanwhile.
        case streamed(HTTPClientRequest.Body.Length, gate: RequestBodyGate)

        /// Whether sending the request leaves its body to send again.
        var canGoTwice: Bool {
            switch self {
            case .streamed: false
            case .none, .whole: true
            }
        }
    }

    /// Sends `request` upstream and answers with the upstream's response, or with an error body.
    private func forward(
        _ request: Request,
        context: AppRequestContext,
        route: ProxyRoute,
        target: (url: String, host: String?),
        session: CaptureSession
    ) async -> Response {
        // A small body of known length is read whole first (as nginx does): the request can then go again
        // if a kept-alive connection turns out closed. A bigger or chunked one streams through.
        let length = request.headers[.contentLength].flatMap { Int($0) } ?? 0
        let body: UpstreamBody
        if length > 0, length <= Self.wholeBodyLimit {
            do {
                let whole = try await request.body.collect(upTo: length)
                session.requestChunk(whole)
                session.requestBodyEnded()
                body = .whole(whole)
            } catch {
                session.markClientGone()
                return failure(for: error, route: route, session: session, origin: context.origin).response(to: request, context: context)
            }
        } else if length > 0 {
            body = .streamed(.known(Int64(length)), gate: RequestBodyGate())
        } else if request.headers[.transferEncoding]?.lowercased().contains("chunked") ?? false {
            body = .streamed(.unknown, gate: RequestBodyGate())
        } else {
            session.requestBodyEnded()
            body = .none
        }
        var response = await send(request, body: body, context: context, route: route, target: target, session: session)
        // Hummingbird reads what is left of a streamed request body after the response: the upstream client
        // must have stopped reading it by then.
        if case .streamed(_, let gate) = body { response.body = response.body.then { await gate.close() } }
        return response
    }

    /// The exchange with the upstream: the request with `body`, sent again once on a new connection when
    /// a kept-alive one turns out closed, and the response, in one write when it is small.
    private func send(
        _ request: Request,
        body: UpstreamBody,
        context: AppRequestContext,
        route: ProxyRoute,
        target: (url: String, host: String?),
        session: CaptureSession
    ) async -> Response {
        let upstreamRequest = makeUpstreamRequest(request, target: target, body: body, session: session, fromTrustedProxy: context.fromTrustedProxy)
        let upstream: HTTPClientResponse
        do {
            session.requestSentUpstream()
            upstream = try await client.execute(upstreamRequest, timeout: headTimeout, logger: logger)
        } catch {
            // A kept-alive connection the upstream closed as the request went out (servers close idle ones
            // when they like): nothing was answered, so the same request goes once more, on a new connection.
            // Only a request whose body is held whole (or that has none) can go twice.
            guard body.canGoTwice, Self.closedBeforeAnswering(error), !session.clientGone else {
                return failure(for: error, route: route, session: session, origin: context.origin).response(to: request, context: context)
            }
            logSentAgain(session, route: route)
            do {
                upstream = try await freshClient.execute(upstreamRequest, timeout: headTimeout, logger: logger)
            } catch {
                return failure(for: error, route: route, session: session, origin: context.origin).response(to: request, context: context)
            }
        }

        let (responseHeaders, captured) = HopByHop.forwardedResponse(upstream.headers, id: session.id)
        let status = Int(upstream.status.code)
        session.responseHead(status: status, headers: captured)
        let responseStatus = HTTPResponse.Status(code: status, reasonPhrase: upstream.status.reasonPhrase)

        let reader = UpstreamBodyReader(upstream.body.makeAsyncIterator())
        // A small answer of known length (a non-streamed completion, an error) is read whole before its head
        // goes out, as nginx buffers one: head and body then reach the client in one write.
        if let length = Self.oneWriteLength(upstream.headers, status: status, method: request.method),
            let whole = await reader.readWhole(length: length, firstChunk: { session.responseStarted() })
        {
            session.responseHeadForwarded(publishing: false)
            if whole.readableBytes > 0 { session.responseChunk(whole) }
            // Understood and recorded beside the write, not before it.
            Task { session.finish(complete: true) }
            return Response(status: responseStatus, headers: responseHeaders, body: ResponseBody(byteBuffer: whole))
        }

        let origin = context.origin
        let body = ResponseBody { writer in
            session.responseHeadForwarded()
            while true {
                let chunk: ByteBuffer?
                do {
                    chunk = try await reader.next()
                } catch {
                    session.finish(error: midResponseFailure(error, route: route, forwarded: session.responseBytes), complete: false)
                    logger.notice("proxy \(session.id) from \(origin): response cut: \(Self.describe(error))")
                    throw error
                }
                guard let chunk else { break }
                session.responseStarted()
                do {
                    try await writer.write(chunk)
                    session.responseChunk(chunk)
                } catch {
                    // The client hung up: leaving this scope drops the upstream body, which cancels the upstream request.
                    session.finish(error: Self.clientLeft, complete: false)
                    throw error
                }
            }
            // The client gets the end of the response before the exchange is understood and recorded.
            do {
                try await writer.finish(nil)
            } catch {
                session.finish(error: Self.clientLeft, complete: false)
                throw error
            }
            session.finish(complete: true)
        }
        return Response(status: responseStatus, headers: responseHeaders, body: body)
    }

    /// Request headers never forwarded (besides the hop-by-hop ones): the proxy sets `host` and
    /// `content-length` itself, answers `expect` itself, and keeps the ingest key.
    static let unforwardedHeaders: Set<String> = [
        "host", "content-length", "expect", keyHeader.canonicalName, sessionHeader.canonicalName, replayHeader.canonicalName,
    ]
    /// The same, with what a trusted reverse proxy adds to tell llmtrace who the client is: meant for
    /// llmtrace, not for the provider.
    static let unforwardedFromTrustedProxy = unforwardedHeaders.union([
        "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "forwarded", "x-real-ip",
    ])

    /// The upstream request to `target`: its URL, and its `Host` when the URL names the checked address,
    /// with `body`.
    private func makeUpstreamRequest(
        _ request: Request,
        target: (url: String, host: String?),
        body: UpstreamBody,
        session: CaptureSession,
        fromTrustedProxy: Bool
    ) -> HTTPClientRequest {
        var upstream = HTTPClientRequest(url: target.url)
        upstream.method = HTTPMethod(rawValue: request.method.rawValue)
        upstream.headers = HopByHop.forwardedRequest(
            request.headers,
            host: target.host,
            unforwarded: fromTrustedProxy ? Self.unforwardedFromTrustedProxy : Self.unforwardedHeaders
        )
        switch body {
        case .none: break
        case .whole(let bytes): upstream.body = .bytes(bytes)
        case .streamed(let length, let gate): upstream.body = .stream(CapturingBody(base: request.body, session: session, gate: gate), length: length)
        }
        return upstream
    }

    private func rejectRoute(request: Request, context: AppRequestContext, target: String, headers: [HeaderField], error: ProxyRouteError) -> Response
    {
        let id = ids.next()
        let pathOnly = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
        var summary = TraceSummary(
            id: id,
            env: "",
            method: request.method.rawValue,
            scheme: "",
            host: "",
            path: pathOnly,
            status: 400,
            error: TraceError(type: "invalid_proxy_route", message: error.message),
            startedAt: Date(),
            durationMs: 0
        )
        summary.complete = true
        pipeline.recordAnswered(TraceRecord(summary: summary, requestHeaders: Redactor.redact(headers: headers)))
        return APIError(status: .badRequest, type: "invalid_proxy_route", message: error.message, headers: [Self.idHeader: id])
            .response(to: request, context: context)
    }

    /// What the record says when the upstream fails after the response head was forwarded.
    func midResponseFailure(_ error: any Error, route: ProxyRoute, forwarded: Int) -> TraceError {
        if let e = error as? HTTPClientError, e == .readTimeout {
            return TraceError(
                type: "upstream_timeout",
                message:
                    "\(route.authority) went silent for \(headTimeout.secondsText) (--upstream-idle-timeout) after \(forwarded) byte(s) of the response; the response was cut off"
            )
        }
        return TraceError(
            type: "upstream_failed",
            message: "the upstream connection failed mid-response after \(forwarded) byte(s): \(Self.describe(error))"
        )
    }

    /// Bodies up to this size with a known length are read whole before they are sent upstream (a bigger
    /// one streams through as it arrives, and cannot be sent twice).
    static let wholeBodyLimit = 1 << 20

    /// Answers of known length up to this size are read whole before their head is forwarded, and written
    /// to the client in one go.
    static let oneWriteLimit = 64 << 10

    /// The length of an answer with `headers` and `status` to a `method` request that goes to the client
    /// in one write (``oneWriteLimit``); `nil` for one forwarded as it comes (streams, bigger or bodiless answers).
    static func oneWriteLength(_ headers: HTTPHeaders, status: Int, method: HTTPRequest.Method) -> Int? {
        guard method != .head, status >= 200, status != 204, status != 304,
            let length = headers.first(name: "content-length").flatMap(Int.init), length <= oneWriteLimit
        else { return nil }
        return length
    }

    /// The request headers a record keeps: all but the ingest key, which is never recorded.
    static func recordedHeaders(_ fields: HTTPFields) -> [HeaderField] {
        fields.compactMap { $0.name == keyHeader ? nil : HeaderField(name: $0.name.canonicalName, value: $0.value) }
    }

    /// The capture of one exchange to `route` (forwarded alike, but not recorded, when not `recorded`).
    func captureSession(route: ProxyRoute, method: HTTPRequest.Method, headers: [HeaderField], recorded: Bool = true) -> CaptureSession {
        CaptureSession(
            id: ids.next(),
            route: route,
            method: method.rawValue,
            requestHeaders: headers,
            maxBody: maxBody,
            prices: prices,
            pipeline: recorded ? pipeline : nil
        )
    }

    /// Logs that a request goes again on a new connection.
    func logSentAgain(_ session: CaptureSession, route: ProxyRoute) {
        logger.debug("proxy \(session.id): \(route.authority) closed a kept-alive connection without answering; sending again on a new one")
    }

    /// Whether `error` says an established connection was closed or reset before the answer began
    /// (not that no connection could be made).
    static func closedBeforeAnswering(_ error: any Error) -> Bool {
        if let e = error as? HTTPClientError { return e == .remoteConnectionClosed }
        if let e = error as? ChannelError { return e == .ioOnClosedChannel || e == .outputClosed || e == .eof }
        if let e = error as? IOError { return e.errnoCode == ECONNRESET || e.errnoCode == EPIPE }
        return false
    }

    /// Whether the upstream answered with bytes that are not an HTTP response.
    static func isInvalidResponse(_ error: any Error) -> Bool {
        error is HTTPParserError
    }

    /// Records the failure and returns the error to answer with; `origin` is the client, for the log.
    func failure(for error: any Error, route: ProxyRoute, session: CaptureSession, origin: String) -> APIError {
        let status: HTTPResponse.Status
        let type: String
        let message: String
        if let refused = error as? UpstreamRefusedError {
            status = .forbidden
            type = "upstream_not_allowed"
            message = refused.description
        } else if let e = error as? HTTPClientError, e == .deadlineExceeded || e == .readTimeout {
            // The head deadline and the idle timeout have the same length: either one means no response came.
            status = .gatewayTimeout
            type = "upstream_timeout"
            message = "\(route.authority) sent no response within \(headTimeout.secondsText) (--upstream-idle-timeout)"
        } else if Self.isInvalidResponse(error) {
            status = .badGateway
            type = "upstream_invalid_response"
            message =
                "\(route.scheme)://\(route.authority) answered with something that is not an HTTP response (\(Self.describe(error))): check the host, the port and the scheme (http or https) in the proxy URL"
        } else if session.clientGone {
            status = HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request")
            type = "client_disconnected"
            message = "the client closed the connection while sending the request body"
        } else {
            status = .badGateway
            type = "upstream_unreachable"
            message = "could not reach \(route.scheme)://\(route.authority): \(Self.describe(error))"
        }
        session.finish(status: status.code, error: TraceError(type: type, message: message), complete: true)
        logger.notice("proxy \(session.id) from \(origin): \(message)")
        return APIError(status: status, type: type, message: message, headers: [Self.idHeader: session.id])
    }

    /// A short, readable cause for an upstream failure.
    static func describe(_ error: any Error) -> String {
        if let e = error as? HTTPClientError {
            switch e {
            case .connectTimeout: return "connection timed out"
            case .tlsHandshakeTimeout: return "TLS handshake timed out"
            case .readTimeout: return "the upstream sent nothing for longer than the idle timeout"
            case .remoteConnectionClosed: return "the upstream closed the connection"
            default: break
            }
        }
        if case ChannelError.connectTimeout = error { return "connection timed out" }
        if let e = error as? ChannelError, e == .eof { return "the upstream closed the connection" }
        if let e = error as? HTTPParserError {
            return "the HTTP parser stopped at: \(e)"
        }
        if let e = error as? NIOConnectionError {
            if e.dnsAError != nil || e.dnsAAAAError != nil, e.connectionErrors.isEmpty {
                return "DNS lookup of \(e.host) failed"
            }
            if let first = e.connectionErrors.first { return describe(first.error) }
        }
        if let e = error as? IOError {
            switch e.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case ECONNRESET: return "connection reset"
            case EHOSTUNREACH, ENETUNREACH: return "host unreachable"
            default: break
            }
        }
        let text = String(describing: error)
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}

/// The client's request body on its way upstream, copied into the capture as it passes.
struct CapturingBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: RequestBody
    let session: CaptureSession
    let gate: RequestBodyGate

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let session: CaptureSession
        let gate: RequestBodyGate

        mutating func next() async throws -> ByteBuffer? {
            do {
                guard let chunk = try await gate.next(&base) else {
                    session.requestBodyEnded()
                    return nil
                }
                session.requestChunk(chunk)
                return chunk
            } catch {
                session.markClientGone()
                throw error
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), session: session, gate: gate)
    }
}
