import Analysis
import AsyncHTTPClient
import Foundation
import HTTPTypes
import LLMTraceModel
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// One forwarded request and its answer on the channel-level path, on the client connection's event
/// loop: the request goes to a pooled upstream connection as it arrives (a small body whole, so it can go
/// again when a kept-alive connection turns out closed), the answer comes back part by part, and the
/// ``CaptureSession`` sees every part on the way.
final class ProxyExchange: UpstreamConnectionDelegate {
    /// What the exchange starts from, decided when its head arrived.
    struct Start {
        var head: HTTPRequest
        var route: ProxyRoute
        var key: UpstreamKey
        var hostHeader: String
        /// The client's address, for the log.
        var origin: String
        var pool: UpstreamPool
        var proxy: ProxyHandler
        /// Whether the exchange leaves a record (the forward proxy forwards some it does not record).
        var recorded = true
    }

    private enum Body {
        case none
        /// Held whole before it goes (and kept, so the request can go twice).
        case whole(ByteBuffer)
        /// Sent as it arrives; what came before the connection is held until then.
        case streamed(pending: [ByteBuffer])
    }

    private let start: Start
    private unowned let handler: ProxyChannelHandler
    private let eventLoop: any EventLoop
    private let session: CaptureSession
    private var body: Body
    private let requestHead: HTTPRequestHead
    /// The client's request has ended (its last part was read).
    private(set) var requestEnded = false
    /// The whole request went out on the current upstream connection.
    private var upstreamRequestComplete = false
    private var connection: UpstreamConnection?
    private var sentAgain = false
    private var responseHead: HTTPResponse?
    /// The answer, gathered to go out in one write (a small answer of known length).
    private var gathered: ByteBuffer?
    private var gatherLength = 0
    private var headForwarded = false
    private var finished = false
    private var lastUpstreamActivity = NIODeadline.now()
    private var silence: Scheduled<Void>?
    /// The client asked for the connection to close after the answer.
    private let clientWantsClose: Bool

    init(start: Start, handler: ProxyChannelHandler, eventLoop: any EventLoop) {
        self.start = start
        self.handler = handler
        self.eventLoop = eventLoop
        session = start.proxy.captureSession(
            route: start.route,
            method: start.head.method,
            headers: ProxyHandler.recordedHeaders(start.head.headerFields),
            recorded: start.recorded
        )
        clientWantsClose = start.head.headerFields[.connection]?.lowercased().contains("close") ?? false

        let length = start.head.headerFields[.contentLength].flatMap { Int($0) }
        let chunked = start.head.headerFields[.transferEncoding]?.lowercased().contains("chunked") ?? false
        var upstreamHeaders = HopByHop.forwardedRequest(start.head.headerFields, host: start.hostHeader, unforwarded: ProxyHandler.unforwardedHeaders)
        let method = HTTPMethod(rawValue: start.head.method.rawValue)
        if let length, length > 0 {
            upstreamHeaders.add(name: "content-length", value: String(length))
            body = length <= ProxyHandler.wholeBodyLimit ? .whole(ByteBuffer()) : .streamed(pending: [])
        } else if chunked {
            upstreamHeaders.add(name: "transfer-encoding", value: "chunked")
            body = .streamed(pending: [])
        } else {
            if length == 0 || method == .POST || method == .PUT || method == .PATCH { upstreamHeaders.add(name: "content-length", value: "0") }
            body = .none
        }
        requestHead = HTTPRequestHead(version: .http1_1, method: method, uri: start.route.requestTarget, headers: upstreamHeaders)
    }

    // MARK: The request

    /// Starts the exchange: takes or opens an upstream connection, or, for a body sent whole, waits for it.
    func begin() {
        switch body {
        case .none:
            session.requestBodyEnded()
            connect(reusing: true)
        case .whole: break
        case .streamed: connect(reusing: true)
        }
    }

    /// A part of the client's request after its head.
    func requestPart(_ part: HTTPRequestPart) {
        switch part {
        case .head: break
        case .body(let buffer):
            session.requestChunk(buffer)
            switch body {
            case .whole(var whole):
                body = .none
                whole.writeImmutableBuffer(buffer)
                body = .whole(whole)
            case .streamed(var pending):
                if let connection {
                    // A slow upload is not upstream silence.
                    lastUpstreamActivity = .now()
                    connection.channel.writeAndFlush(HTTPClientRequestPart.body(.byteBuffer(buffer)), promise: nil)
                    if !connection.channel.isWritable { handler.holdReads(true) }
                } else {
                    body = .none
                    pending.append(buffer)
                    body = .streamed(pending: pending)
                    // Nothing more is read until the upstream connection is there to take it.
                    handler.holdReads(true)
                }
            case .none: break
            }
        case .end:
            requestEnded = true
            switch body {
            case .none: break
            case .whole:
                session.requestBodyEnded()
                connect(reusing: true)
            case .streamed:
                session.requestBodyEnded()
                if let connection {
                    connection.channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
                    upstreamRequestComplete = true
                }
            }
        }
    }

    private func connect(reusing: Bool) {
        if reusing, let connection = start.pool.take(start.key) {
            use(connection)
            return
        }
        let connecting = ContinuousClock.now
        start.pool.connect(start.key) { [self] result in
            session.upstreamConnectWaited(.now - connecting)
            guard !finished else {
                if case .success(let connection) = result { connection.channel.close(promise: nil) }
                return
            }
            switch result {
            case .success(let connection):
                // The address a name reached is checked before a request is sent on it (DNS rebinding).
                if let refused = start.proxy.upstreams.policy.refusal(of: connection.channel) {
                    connection.channel.close(promise: nil)
                    fail(refused)
                    return
                }
                use(connection)
            case .failure(let error): fail(error)
            }
        }
    }

    private func use(_ connection: UpstreamConnection) {
        self.connection = connection
        connection.uses += 1
        connection.handler.delegate = self
        send()
    }

    /// Writes the request (what there is of it) on the connection.
    private func send() {
        guard let connection else { return }
        let channel = connection.channel
        channel.write(HTTPClientRequestPart.head(requestHead), promise: nil)
        session.requestSentUpstream()
        switch body {
        case .none:
            channel.write(HTTPClientRequestPart.end(nil), promise: nil)
            upstreamRequestComplete = true
        case .whole(let whole):
            channel.write(HTTPClientRequestPart.body(.byteBuffer(whole)), promise: nil)
            channel.write(HTTPClientRequestPart.end(nil), promise: nil)
            upstreamRequestComplete = true
        case .streamed(let pending):
            body = .streamed(pending: [])
            for buffer in pending { channel.write(HTTPClientRequestPart.body(.byteBuffer(buffer)), promise: nil) }
            if requestEnded {
                channel.write(HTTPClientRequestPart.end(nil), promise: nil)
                upstreamRequestComplete = true
            }
            handler.holdReads(!channel.isWritable)
        }
        channel.flush()
        lastUpstreamActivity = .now()
        watchSilence()
    }

    // MARK: The answer

    func upstreamHead(_ head: HTTPResponseHead) {
        lastUpstreamActivity = .now()
        let status = Int(head.status.code)
        let (fields, captured) = HopByHop.forwardedResponse(head.headers, id: session.isRecorded ? session.id : nil)
        session.responseHead(status: status, headers: captured)
        let response = HTTPResponse(status: HTTPResponse.Status(code: status, reasonPhrase: head.status.reasonPhrase), headerFields: fields)
        responseHead = response
        if let length = ProxyHandler.oneWriteLength(head.headers, status: status, method: start.head.method) {
            gathered = ByteBuffer()
            gatherLength = length
            return
        }
        headForwarded = true
        session.responseHeadForwarded()
        handler.writeToClient(.head(response), flush: true)
    }

    func upstreamBody(_ buffer: ByteBuffer) {
        lastUpstreamActivity = .now()
        session.responseStarted()
        if var whole = gathered {
            gathered = nil
            whole.writeImmutableBuffer(buffer)
            if whole.readableBytes <= gatherLength {
                gathered = whole
                return
            }
            // Longer than it said: what came goes out as it is, and the rest follows.
            forwardGathered(whole)
            return
        }
        session.responseChunk(buffer)
        handler.writeToClient(.body(buffer), flush: true)
        if !handler.clientIsWritable { connection?.handler.holdReads(true) }
    }

    /// Forwards the head held back and `buffer`, the answer so far.
    private func forwardGathered(_ buffer: ByteBuffer, flush: Bool = false) {
        guard let responseHead else { return }
        headForwarded = true
        session.responseHeadForwarded()
        handler.writeToClient(.head(responseHead), flush: false)
        if buffer.readableBytes > 0 {
            session.responseChunk(buffer)
            handler.writeToClient(.body(buffer), flush: false)
        }
        if flush { handler.flushClient() }
    }

    func upstreamEnd(keepAlive: Bool) {
        guard !finished, let responseHead else { return }
        if let whole = gathered {
            gathered = nil
            if whole.readableBytes == gatherLength {
                // Head, body and end in one write.
                headForwarded = true
                session.responseHeadForwarded(publishing: false)
                handler.writeToClient(.head(responseHead), flush: false)
                if whole.readableBytes > 0 {
                    session.responseChunk(whole)
                    handler.writeToClient(.body(whole), flush: false)
                }
            } else {
                forwardGathered(whole)
            }
        }
        handler.writeToClient(.end(nil), flush: true)
        let session = self.session
        // Understood and recorded beside the write, not before it.
        Task { session.finish(complete: true) }
        if let connection {
            self.connection = nil
            if keepAlive, upstreamRequestComplete { start.pool.give(connection) } else { connection.channel.close(promise: nil) }
        }
        end(close: clientWantsClose)
    }

    func upstreamFailed(_ error: any Error) {
        guard !finished else { return }
        // A kept-alive connection the upstream closed as the request went out: nothing was answered, so the
        // same request goes once more, on a new connection. Only a body held whole (or none) can go twice.
        if let connection, connection.uses > 1, responseHead == nil, !sentAgain, !session.clientGone {
            switch body {
            case .none, .whole:
                sentAgain = true
                closeConnection()
                start.proxy.logSentAgain(session, route: start.route)
                connect(reusing: false)
                return
            case .streamed: break
            }
        }
        fail(error)
    }

    func upstreamWritabilityChanged(_ writable: Bool) {
        if case .streamed = body { handler.holdReads(!writable) }
    }

    /// The client can take more of the answer (or cannot).
    func clientWritabilityChanged(_ writable: Bool) {
        connection?.handler.holdReads(!writable)
    }

    // MARK: Endings

    /// The upstream failed: an error answer when nothing was forwarded yet, else the answer is cut off.
    private func fail(_ error: any Error) {
        guard !finished else { return }
        closeConnection()
        if let whole = gathered {
            // What came of a short answer still reaches the client, cut off where it ended.
            gathered = nil
            forwardGathered(whole, flush: true)
        }
        if headForwarded {
            session.finish(error: start.proxy.midResponseFailure(error, route: start.route, forwarded: session.responseBytes), complete: false)
            start.proxy.logger.notice("proxy \(session.id) from \(start.origin): response cut: \(ProxyHandler.describe(error))")
            end(close: true)
            return
        }
        let failure = start.proxy.failure(for: error, route: start.route, session: session, origin: start.origin)
        handler.answer(failure)
        end(close: clientWantsClose || !requestEnded)
    }

    /// The client closed its connection: the upstream request is abandoned.
    func clientClosed() {
        guard !finished else { return }
        finished = true
        silence?.cancel()
        if !requestEnded { session.markClientGone() }
        session.finish(error: ProxyHandler.clientLeft, complete: false)
        closeConnection()
    }

    /// Lets go of the upstream connection and closes it (it may be mid-answer: it cannot be reused).
    private func closeConnection() {
        guard let connection else { return }
        self.connection = nil
        connection.handler.delegate = nil
        connection.channel.close(promise: nil)
    }

    private func end(close: Bool) {
        finished = true
        silence?.cancel()
        silence = nil
        handler.exchangeEnded(close: close, requestEnded: requestEnded)
    }

    /// Fails the exchange when the upstream stays silent for the idle timeout (before the head or between parts).
    private func watchSilence() {
        silence?.cancel()
        let timeout = start.proxy.headTimeout
        silence = eventLoop.assumeIsolated().scheduleTask(deadline: lastUpstreamActivity + timeout) { [weak self] in
            guard let self, !self.finished else { return }
            if NIODeadline.now() >= self.lastUpstreamActivity + timeout {
                self.fail(HTTPClientError.readTimeout)
            } else {
                self.watchSilence()
            }
        }
    }
}
