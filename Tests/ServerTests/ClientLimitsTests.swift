import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPTypes
import Testing

@testable import Server

/// The client limits' channel handlers on an `EmbeddedChannel`, whose clock only moves when a test
/// moves it: the idle timeout, the per-address connection limit and the 431 for an oversized head.
@Suite struct ClientLimitsTests {
    static let peer = "10.0.0.5"

    /// Limits from `configure`d defaults, logging to `log`.
    static func limits(_ log: CapturedLog = CapturedLog(), _ configure: (inout ServerConfiguration) -> Void = { _ in }) -> ClientLimits {
        var configuration = ServerConfiguration()
        configure(&configuration)
        return ClientLimits(configuration, logger: log.logger)
    }

    /// A connected channel from `peer` with `handlers`.
    static func channel(_ handlers: [any ChannelHandler], peer: String = peer) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers(handlers)
        // An embedded channel's remote address is the one it "connects" to.
        try channel.connect(to: SocketAddress(ipAddress: peer, port: 40_000)).wait()
        return channel
    }

    static func head(_ path: String, method: HTTPRequest.Method = .get) -> HTTPRequestPart {
        .head(HTTPRequest(method: method, scheme: nil, authority: "llmtrace", path: path))
    }

    /// Writes a whole response (head, a body part, end) as the application would.
    static func respond(_ channel: EmbeddedChannel) throws {
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.body(ByteBuffer(string: "ok")))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
    }

    /// The response parts the handlers wrote themselves: status and body.
    static func answer(_ channel: EmbeddedChannel) throws -> (HTTPResponse.Status, [String: Any])? {
        guard case .head(let head) = try channel.readOutbound(as: HTTPResponsePart.self) else { return nil }
        guard case .body(let body) = try channel.readOutbound(as: HTTPResponsePart.self) else { return nil }
        let json = try JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8)) as? [String: Any]
        #expect(head.headerFields[.connection] == "close")
        return (head.status, (json?["error"] as? [String: Any]) ?? [:])
    }

    // MARK: - Idle timeout

    @Test func aConnectionThatSendsNothingIsClosedAtTheTimeout() throws {
        let log = CapturedLog()
        let channel = try Self.channel([ClientIdleTimeoutHandler(limits: Self.limits(log), timeout: .seconds(30), tls: false)])
        channel.embeddedEventLoop.advanceTime(by: .seconds(29))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
        #expect(log.text.contains("info: closed a connection from 10.0.0.5 that sent no request within 30 s (--client-idle-timeout)"), "\(log.text)")
    }

    @Test func aTLSConnectionThatNeverCompletesItsHandshakeIsToldApart() throws {
        let log = CapturedLog()
        let channel = try Self.channel([ClientIdleTimeoutHandler(limits: Self.limits(log), timeout: .seconds(1), tls: true)])
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
        #expect(log.text.contains("closed a connection from 10.0.0.5 that did not complete its TLS handshake within 1 s"), "\(log.text)")
    }

    @Test func aResponseInProgressIsNeverCutAndTheWaitStartsAgainAfterIt() throws {
        let log = CapturedLog()
        let channel = try Self.channel([
            ClientIdleTimeoutHandler(limits: Self.limits(log), timeout: .seconds(30), keepAlive: .seconds(75), tls: false)
        ])
        channel.embeddedEventLoop.advanceTime(by: .seconds(20))
        try channel.writeInbound(Self.head("/api/events"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        // An event stream: the head, then events now and then, for much longer than the timeout.
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        for _ in 0..<10 {
            channel.embeddedEventLoop.advanceTime(by: .seconds(60))
            try channel.writeOutbound(HTTPResponsePart.body(ByteBuffer(string: "data: {}\n\n")))
        }
        channel.embeddedEventLoop.advanceTime(by: .hours(1))
        #expect(channel.isActive)
        // The stream ends; the kept-alive connection then waits for its next request for the keep-alive
        // timeout (longer than the idle one, so a load balancer never reuses a connection being closed).
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(74))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
        // The end of a kept-alive connection is no news: not at info.
        #expect(!log.text.contains("info:"), "\(log.text)")
        #expect(log.text.contains("debug: closed an idle kept-alive connection from 10.0.0.5"), "\(log.text)")
    }

    @Test func aRequestBodyThatStopsArrivingIsClosed() throws {
        let log = CapturedLog()
        let channel = try Self.channel([ClientIdleTimeoutHandler(limits: Self.limits(log), timeout: .seconds(30), tls: false)])
        try channel.writeInbound(Self.head("/proxy/dev/https/api.openai.com/v1/chat/completions", method: .post))
        // Parts that keep coming keep the connection open…
        for _ in 0..<5 {
            channel.embeddedEventLoop.advanceTime(by: .seconds(20))
            try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "{")))
        }
        #expect(channel.isActive)
        // …a body that stops arriving does not.
        channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        #expect(!channel.isActive)
        #expect(log.text.contains("closed a connection from 10.0.0.5: its request body stopped arriving for 30 s"), "\(log.text)")
    }

    // MARK: - Connections per address

    @Test func theConnectionOverTheLimitIsAnswered429AndClosedWhileTheProxyRouteIsNot() throws {
        let log = CapturedLog()
        let limits = Self.limits(log) { $0.maxConnectionsPerClient = 2 }
        let open = try (0..<2).map { _ in try Self.channel([ConnectionLimitHandler(limits: limits)]) }
        for channel in open {
            try channel.writeInbound(Self.head("/api/events"))
            #expect(try channel.readInbound(as: HTTPRequestPart.self) != nil)
        }
        let address = try #require(IPAddress(Self.peer))
        #expect(limits.counter.open(address, in: .api) == 2)

        // The third is refused: its request never reaches the application.
        let third = try Self.channel([ConnectionLimitHandler(limits: limits)])
        try third.writeInbound(Self.head("/api/requests"))
        #expect(try third.readInbound(as: HTTPRequestPart.self) == nil)
        let (status, error) = try #require(try Self.answer(third))
        #expect(status == .tooManyRequests)
        #expect(error["type"] as? String == "too_many_connections")
        #expect((error["message"] as? String ?? "").contains("(--max-connections-per-client)"))
        #expect(log.text.contains("warning: refused a connection from 10.0.0.5: it has 2 connections open"), "\(log.text)")
        #expect(log.text.contains("(--max-connections-per-client 2)"), "\(log.text)")

        // The proxy route has no limit unless one is set.
        let proxy = try Self.channel([ConnectionLimitHandler(limits: limits)])
        try proxy.writeInbound(Self.head("/proxy/dev/https/api.openai.com/v1/models"))
        #expect(try proxy.readInbound(as: HTTPRequestPart.self) != nil)

        // Another address has its own count.
        let other = try Self.channel([ConnectionLimitHandler(limits: limits)], peer: "10.0.0.6")
        try other.writeInbound(Self.head("/api/requests"))
        #expect(try other.readInbound(as: HTTPRequestPart.self) != nil)

        // A closed connection frees its place.
        _ = try open[0].finish()
        #expect(limits.counter.open(address, in: .api) == 1)
        let next = try Self.channel([ConnectionLimitHandler(limits: limits)])
        try next.writeInbound(Self.head("/api/requests"))
        #expect(try next.readInbound(as: HTTPRequestPart.self) != nil)
    }

    @Test func aConnectionKeptAliveAfterAProxiedCallCountsOnceItCarriesAnAPIRequest() throws {
        let limits = Self.limits { $0.maxConnectionsPerClient = 1 }
        let first = try Self.channel([ConnectionLimitHandler(limits: limits)])
        try first.writeInbound(Self.head("/api/events"))
        let reused = try Self.channel([ConnectionLimitHandler(limits: limits)])
        try reused.writeInbound(Self.head("/proxy/dev/https/api.openai.com/v1/models"))
        try reused.writeInbound(HTTPRequestPart.end(nil))
        try Self.respond(reused)
        while try reused.readOutbound(as: HTTPResponsePart.self) != nil {}
        try reused.writeInbound(Self.head("/api/requests"))
        let (status, _) = try #require(try Self.answer(reused))
        #expect(status == .tooManyRequests)
    }

    @Test func aPipelinedRefusalWaitsForTheResponseInProgress() throws {
        let limits = Self.limits { $0.maxConnectionsPerClient = 1 }
        let first = try Self.channel([ConnectionLimitHandler(limits: limits)])
        try first.writeInbound(Self.head("/api/events"))
        let pipelined = try Self.channel([ConnectionLimitHandler(limits: limits)])
        try pipelined.writeInbound(Self.head("/proxy/dev/https/api.openai.com/v1/models"))
        try pipelined.writeInbound(HTTPRequestPart.end(nil))
        try pipelined.writeInbound(Self.head("/api/requests"))
        #expect(try pipelined.readOutbound(as: HTTPResponsePart.self) == nil)
        try Self.respond(pipelined)
        for _ in 0..<3 { _ = try pipelined.readOutbound(as: HTTPResponsePart.self) }
        let (status, _) = try #require(try Self.answer(pipelined))
        #expect(status == .tooManyRequests)
    }

    @Test func theProxyRouteIsLimitedWhenConfiguredAndTrustedProxiesAreNeverCounted() throws {
        let limits = Self.limits {
            $0.maxConnectionsPerClient = 1
            $0.maxProxyConnectionsPerClient = 1
            $0.trustedProxies = [IPNetwork("10.9.0.0/16")].compactMap { $0 }
        }
        let first = try Self.channel([ConnectionLimitHandler(limits: limits)])
        try first.writeInbound(Self.head("/proxy/dev/https/api.openai.com/v1/models"))
        let second = try Self.channel([ConnectionLimitHandler(limits: limits)])
        try second.writeInbound(Self.head("/proxy/dev/https/api.openai.com/v1/models"))
        let (status, error) = try #require(try Self.answer(second))
        #expect(status == .tooManyRequests)
        #expect((error["message"] as? String ?? "").contains("the proxy route"))
        #expect((error["message"] as? String ?? "").contains("--max-proxy-connections-per-client"))

        for _ in 0..<3 {
            let behindProxy = try Self.channel([ConnectionLimitHandler(limits: limits)], peer: "10.9.1.1")
            try behindProxy.writeInbound(Self.head("/api/events"))
            #expect(try behindProxy.readInbound(as: HTTPRequestPart.self) != nil)
        }
    }

    // MARK: - Head size

    @Test func anOversizedHeadIsAnswered431AndClosed() throws {
        let log = CapturedLog()
        let channel = try Self.channel([OversizedHeadHandler(limits: Self.limits(log) { $0.maxHeadBytes = 16 * 1024 })])
        channel.pipeline.fireErrorCaught(HTTPParserError.headerOverflow)
        let (status, error) = try #require(try Self.answer(channel))
        #expect(status == .requestHeaderFieldsTooLarge)
        #expect(error["type"] as? String == "request_head_too_large")
        #expect((error["message"] as? String ?? "").contains("larger than 16 KiB"))
        #expect(
            log.text.contains("notice: refused a request from 10.0.0.5: its head (request line and headers) is larger than 16 KiB"),
            "\(log.text)"
        )
        // The decoder's later errors (it stops at the first) go nowhere.
        channel.pipeline.fireErrorCaught(HTTPParserError.headerOverflow)
        #expect(log.count == 1)
        // The output is closed once the answer is out; the whole connection at the latest after the linger.
        channel.embeddedEventLoop.advanceTime(by: ConnectionRefusal.linger)
        #expect(!channel.isActive)
    }

    @Test func otherParseErrorsAreLeftToHummingbird() throws {
        let channel = try Self.channel([OversizedHeadHandler(limits: Self.limits())])
        channel.pipeline.fireErrorCaught(HTTPParserError.invalidMethod)
        #expect(throws: HTTPParserError.self) { try channel.throwIfErrorCaught() }
        #expect(try channel.readOutbound(as: HTTPResponsePart.self) == nil)
    }

    // MARK: - Shared pieces

    @Test func aFloodOfLinesIsThrottledAndTheNextLineSaysHowManyWereLeftOut() {
        let log = CapturedLog()
        let throttled = ThrottledLog(interval: .seconds(10))
        let start = ContinuousClock.now
        for i in 0..<5 { throttled.log(log.logger, level: .warning, "refused \(i)", now: start + .seconds(i)) }
        #expect(log.text == "warning: refused 0")
        throttled.log(log.logger, level: .warning, "refused 5", now: start + .seconds(11))
        #expect(log.text == "warning: refused 0\nwarning: refused 5 (and 4 more like it since the last such line)")
    }

    @Test func theUnixSocketKeepsOnlyTheHeadSizeLimit() {
        let limits = Self.limits { $0.maxHeadBytes = 4096 }
        #expect(limits.channelHandlers(tls: false).count == 3)
        let local = limits.local
        #expect(local.channelHandlers(tls: false).count == 1)
        #expect(local.decoderConfiguration.maxHeaderListSize == 4096)
        #expect(local.decoderConfiguration.maxHeaderFieldSize == 4096)
    }
}
