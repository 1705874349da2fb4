import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// The limits of a server on a network, through the real binary: the request head's size, the
/// connections one address may keep open, and the idle timeout for clients that send nothing
/// (slowloris), over plain HTTP and before a TLS handshake. Each is told in the log.
@Suite struct LimitsEndToEndTests {
    /// `GET url` as an event stream, read as it arrives.
    static func openStream(_ client: HTTPClient, _ url: String) async throws -> (FaultEndToEndTests.StreamRead, Task<Void, Never>) {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "accept", value: "text/event-stream")
        let response = try await client.execute(request, deadline: .distantFuture)
        #expect(response.status == .ok)
        let stream = FaultEndToEndTests.StreamRead()
        return (stream, Task { await stream.read(response) })
    }

    /// Opens the event stream on `client` and waits for its head.
    static func openRawStream(_ client: RawClient) async throws {
        try await client.send("GET /api/events HTTP/1.1\r\nhost: llmtrace\r\naccept: text/event-stream\r\n\r\n")
        try await FaultEndToEndTests.waitUntil("the event stream's head") { client.text.hasPrefix("HTTP/1.1 200 OK") }
    }

    static func error(_ reply: HTTP.Reply) throws -> [String: Any] {
        try #require(try reply.json()["error"] as? [String: Any])
    }

    static func waitForLog(_ text: String, in server: LLMTraceProcess) async throws {
        try await FaultEndToEndTests.waitUntil("the log line '\(text)'") { server.log.contains(text) }
    }

    // MARK: - Head size

    @Test func aRequestHeadOverTheLimitGets431() async throws {
        try await withUpstreamAndLLMTrace(["--max-head-size", "16KiB"]) { upstream, server in
            let big = String(repeating: "a", count: 20_000)
            let refused = try await HTTP.send("\(server.url)/api/health", headers: [("x-padding", big)])
            #expect(refused.status == 431)
            #expect(refused.headers.first(name: "connection") == "close")
            let error = try Self.error(refused)
            #expect(error["type"] as? String == "request_head_too_large")
            #expect((error["message"] as? String ?? "").contains("larger than 16 KiB"), "\(error)")
            // The proxy route is held to it too.
            let proxied = try await HTTP.send("\(upstream.route(via: server.url))/v1/models", headers: [("x-padding", big)])
            #expect(proxied.status == 431)
            try await Self.waitForLog("its head (request line and headers) is larger than 16 KiB (--max-head-size)", in: server)

            // A head under the limit is served.
            let fine = try await HTTP.send("\(server.url)/api/health", headers: [("x-padding", String(repeating: "a", count: 8_000))])
            #expect(fine.status == 200)
        }
    }

    // MARK: - Connections per address

    @Test func theConnectionOverTheLimitOfOneAddressIsRefusedWhileTheProxyRouteIsNot() async throws {
        try await withUpstreamAndLLMTrace(["--max-connections-per-client", "2"]) { upstream, server in
            // Two event streams hold two connections open.
            try await withRawClient(to: server.url) { kept in
                try await Self.openRawStream(kept)
                try await withRawClient(to: server.url) { ending in
                    try await Self.openRawStream(ending)

                    // A third connection is refused.
                    let refused = try await HTTP.send("\(server.url)/api/health")
                    #expect(refused.status == 429)
                    let error = try Self.error(refused)
                    #expect(error["type"] as? String == "too_many_connections")
                    #expect((error["message"] as? String ?? "").contains("127.0.0.1 has 2 connections open"), "\(error)")
                    #expect((error["message"] as? String ?? "").contains("(--max-connections-per-client)"), "\(error)")
                    try await Self.waitForLog("refused a connection from 127.0.0.1: it has 2 connections open", in: server)
                    #expect(server.log.contains("(--max-connections-per-client 2)"), "\(server.log)")

                    // The proxy route is not counted: LLM calls go through.
                    let proxied = try await HTTP.send(
                        "\(upstream.route(via: server.url))/v1/chat/completions",
                        method: .POST,
                        body: Array("{}".utf8)
                    )
                    #expect(proxied.status == 200)
                    #expect(kept.isOpen && ending.isOpen)
                    await ending.reset()
                }
                // A stream that closed frees its place.
                try await FaultEndToEndTests.waitUntil("the API answers once a stream closed") {
                    try await HTTP.send("\(server.url)/api/health").status == 200
                }
                #expect(kept.isOpen)
            }
        }
    }

    @Test func theProxyRouteHasALimitOfItsOwnWhenOneIsSet() async throws {
        try await withUpstreamAndLLMTrace(["--max-proxy-connections-per-client", "1"]) { upstream, server in
            try await withHTTPClient { streams in
                // One proxied stream held open at the upstream's gate.
                let (held, _) = try await Self.openStream(streams, "\(upstream.route(via: server.url))/gated-sse")
                let refused = try await HTTP.send("\(upstream.route(via: server.url))/v1/models")
                #expect(refused.status == 429)
                let error = try Self.error(refused)
                #expect(error["type"] as? String == "too_many_connections")
                #expect((error["message"] as? String ?? "").contains("the proxy route"), "\(error)")
                #expect((error["message"] as? String ?? "").contains("--max-proxy-connections-per-client"), "\(error)")
                // The API has its own count.
                #expect(try await HTTP.send("\(server.url)/api/health").status == 200)
                upstream.openGate()
                try await FaultEndToEndTests.waitUntil("the held stream ends") { held.ended }
                #expect(!held.failed)
            }
        }
    }

    // MARK: - Idle timeout

    @Test func aConnectionThatSendsNothingIsClosedAtTheIdleTimeoutWhileAnEventStreamStaysOpen() async throws {
        try await withUpstreamAndLLMTrace(["--client-idle-timeout", "1", "--keep-alive-timeout", "1"]) { upstream, server in
            try await withHTTPClient { streams in
                let (events, _) = try await Self.openStream(streams, "\(server.url)/api/events")

                // A connection that sends nothing is closed, with nothing said on it.
                try await withRawClient(to: server.url) { silent in
                    let sent = try await silent.closedByServer()
                    #expect(sent == "")
                }
                try await Self.waitForLog("closed a connection from 127.0.0.1 that sent no request within 1 s (--client-idle-timeout)", in: server)

                // Slowloris: a head that trickles in a byte at a time never completes, so it is closed too.
                try await withRawClient(to: server.url) { slow in
                    let trickle = Task {
                        for byte in "GET /api/health HTTP/1.1\r\nhost: llmtrace\r\n" + String(repeating: "x-slow: 1\r\n", count: 1000) {
                            guard slow.isOpen, (try? await slow.send(String(byte))) != nil else { return }
                            try? await Task.sleep(for: .milliseconds(100))
                        }
                    }
                    let sent = try await slow.closedByServer()
                    #expect(sent == "")
                    trickle.cancel()
                }

                // A kept-alive connection is served, then closed once it has nothing more to ask.
                try await withRawClient(to: server.url, sending: "GET /api/health HTTP/1.1\r\nhost: llmtrace\r\n\r\n") { keptAlive in
                    let sent = try await keptAlive.closedByServer()
                    #expect(sent.hasPrefix("HTTP/1.1 200 OK"), "\(sent)")
                }

                // The event stream, open since before all three, outlived them and still delivers.
                #expect(!events.ended)
                let reply = try await HTTP.send("\(upstream.route(via: server.url))/v1/chat/completions", method: .POST, body: Array("{}".utf8))
                let id = try #require(reply.headers.first(name: "x-llmtrace-id"))
                try await FaultEndToEndTests.waitUntil("the event stream delivers the new record") { events.text.contains(id) }
                #expect(!events.ended)
            }
        }
    }

    @Test func aRequestBodyThatStopsArrivingIsClosedAtTheIdleTimeout() async throws {
        try await withUpstreamAndLLMTrace(["--client-idle-timeout", "1"]) { upstream, server in
            let path = "/proxy/test/http/127.0.0.1:\(upstream.port)/v1/chat/completions"
            let head = "POST \(path) HTTP/1.1\r\nhost: llmtrace\r\ncontent-length: 100\r\n\r\n{\"model\":"
            try await withRawClient(to: server.url, sending: head) { stalled in
                _ = try await stalled.closedByServer()
            }
            try await Self.waitForLog(
                "closed a connection from 127.0.0.1: its request body stopped arriving for 1 s (--client-idle-timeout)",
                in: server
            )
        }
    }

    @Test func aTLSClientThatNeverSendsItsHelloIsClosed() async throws {
        try await withTestCA { ca, cert, key in
            // Long enough for a real client's handshake on a busy machine.
            try await withLLMTrace(["--tls-cert", cert, "--tls-key", key, "--client-idle-timeout", "5"]) { server in
                try await withRawClient(to: server.url) { silent in
                    let sent = try await silent.closedByServer()
                    #expect(sent == "")
                }
                try await Self.waitForLog(
                    "closed a connection from 127.0.0.1 that did not complete its TLS handshake within 5 s (--client-idle-timeout)",
                    in: server
                )
                // Clients that do speak TLS are served as before.
                try await withHTTPClient(configuration: ca.clientConfiguration) { client in
                    let health = try await client.execute(HTTPClientRequest(url: "\(server.url)/api/health"), timeout: .seconds(30))
                    #expect(health.status == .ok)
                    _ = try await health.body.collect(upTo: 1 << 20)
                }
            }
        }
    }
}
