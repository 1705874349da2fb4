import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Debian's nginx in front of llmtrace, configured with the README's `location` block: streams stay
/// streams, and with `--trusted-proxy 127.0.0.1` llmtrace sees the client nginx forwards, and only
/// the one nginx itself saw when the sender is not trusted.
@Suite(.enabled(if: NginxProcess.isInstalled, "nginx is not installed (/usr/sbin/nginx; apt-get install nginx): the reverse-proxy tests are skipped"))
struct ReverseProxyEndToEndTests {
    /// The `location / { … }` block of the README's nginx example, pointed at the llmtrace at `server`.
    static func readmeLocation(for server: LLMTraceProcess) throws -> String {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../README.md").standardizedFileURL
        let text = try String(contentsOf: readme, encoding: .utf8)
        guard let fence = text.range(of: "```nginx\n"), let end = text.range(of: "```", range: fence.upperBound..<text.endIndex) else {
            throw ProcessFailure("README.md has no ```nginx example")
        }
        let lines = text[fence.upperBound..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("location / {") }),
            let last = lines[first...].firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "}" })
        else { throw ProcessFailure("README.md's nginx example has no `location / { … }` block") }
        let block = lines[first...last].joined(separator: "\n")
        guard block.contains("127.0.0.1:8080"), let port = URL(string: server.url)?.port else {
            throw ProcessFailure("README.md's nginx location does not proxy to 127.0.0.1:8080:\n\(block)")
        }
        return block.replacingOccurrences(of: "127.0.0.1:8080", with: "127.0.0.1:\(port)")
    }

    /// nginx with the README's location block in front of `server`, for the length of `body`.
    static func withReadmeNginx<T>(in front: LLMTraceProcess, _ body: (NginxProcess) async throws -> T) async throws -> T {
        try await withNginx(server: try readmeLocation(for: front), body)
    }

    /// The line of the server's log that holds `text`, once it has been written.
    static func logLine(_ server: LLMTraceProcess, containing text: String) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let line = server.log.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ProcessFailure("no log line with '\(text)' within 10 s:\n\(server.log.suffix(3000))")
    }

    /// A proxy route to a loopback port nothing listens on: llmtrace answers 502 and logs the client.
    static func unreachableRoute() throws -> String { "/proxy/test/http/127.0.0.1:\(try freePort())/v1/models" }

    @Test func aStreamReachesTheClientThroughNginxEventByEvent() async throws {
        try await withUpstreamAndLLMTrace(["--trusted-proxy", "127.0.0.1"]) { upstream, server in
            try await Self.withReadmeNginx(in: server) { nginx in
                let request = HTTPClientRequest(url: "\(upstream.route(via: nginx.url))/gated-sse")
                let response = try await HTTP.client.execute(request, timeout: .seconds(30))
                #expect(response.status == .ok)
                #expect(response.headers.first(name: "content-type") == "text/event-stream")
                #expect(response.headers.first(name: "x-llmtrace-id") != nil)
                var received = ""
                var gateOpenedAfterFirstEvent = false
                for try await chunk in response.body {
                    received += String(buffer: chunk)
                    if !gateOpenedAfterFirstEvent, received.contains("tok0") {
                        // The upstream holds event 1 back until the gate opens: event 0 came through nginx on its own.
                        #expect(!received.contains("tok1"))
                        gateOpenedAfterFirstEvent = true
                        upstream.openGate()
                    }
                }
                #expect(gateOpenedAfterFirstEvent, "\(nginx.log)")
                #expect(received == FakeUpstream.sseEvent(0) + FakeUpstream.sseEvent(1) + "data: [DONE]\n\n")

                // nginx's forwarding headers were for llmtrace: the provider does not learn the client's address.
                let call = try await HTTP.send(
                    "\(upstream.route(via: nginx.url))/v1/chat/completions",
                    method: .POST,
                    headers: [("X-Forwarded-For", "203.0.113.7")],
                    body: Array("{}".utf8)
                )
                #expect(call.status == 200)
                let seen = upstream.state.withLock { $0.lastHeaders }
                for name in ["x-forwarded-for", "x-forwarded-proto", "x-real-ip", "forwarded"] {
                    #expect(seen[name] == nil, "\(name) reached the upstream: \(seen)")
                }
            }
        }
    }

    @Test func llmtraceSeesTheClientNginxForwards() async throws {
        try await withLLMTrace(["--trusted-proxy", "127.0.0.1"]) { server in
            try await Self.withReadmeNginx(in: server) { nginx in
                // The sender (127.0.0.1, trusted too) names 203.0.113.7; nginx appends the address it saw,
                // 127.0.0.1: the right-most address that is not a trusted proxy is 203.0.113.7.
                let reply = try await HTTP.send(nginx.url + (try Self.unreachableRoute()), headers: [("X-Forwarded-For", "203.0.113.7")])
                #expect(reply.status == 502, "\(reply.text)")
                let id = try #require(reply.headers.first(name: "x-llmtrace-id"))
                let line = try await Self.logLine(server, containing: "proxy \(id) ")
                #expect(line.contains("proxy \(id) from 203.0.113.7 via 127.0.0.1: could not reach"), "\(line)")

                // From 127.0.0.2, which is no trusted proxy, the same claims (and a Forwarded header, which
                // nginx passes through untouched) count for nothing: nginx appends 127.0.0.2, and that is the client.
                let raw = try await Self.rawRequest(
                    from: "127.0.0.2",
                    port: nginx.port,
                    path: try Self.unreachableRoute(),
                    headers: ["X-Forwarded-For: 203.0.113.7", "Forwarded: for=198.51.100.66"]
                )
                #expect(raw.hasPrefix("HTTP/1.1 502"), "\(raw)")
                let rawID = try #require(Self.header("x-llmtrace-id", in: raw), "\(raw)")
                let rawLine = try await Self.logLine(server, containing: "proxy \(rawID) ")
                #expect(rawLine.contains("proxy \(rawID) from 127.0.0.2 via 127.0.0.1: could not reach"), "\(rawLine)")
            }
        }
    }

    @Test func withoutTrustedProxyTheForwardedAddressIsIgnored() async throws {
        try await withLLMTrace { server in
            try await Self.withReadmeNginx(in: server) { nginx in
                let reply = try await HTTP.send(nginx.url + (try Self.unreachableRoute()), headers: [("X-Forwarded-For", "203.0.113.7")])
                #expect(reply.status == 502, "\(reply.text)")
                let id = try #require(reply.headers.first(name: "x-llmtrace-id"))
                let line = try await Self.logLine(server, containing: "proxy \(id) ")
                #expect(line.contains("proxy \(id) from 127.0.0.1: could not reach"), "\(line)")
            }
        }
    }

    /// The value of header `name` in a raw HTTP response.
    static func header(_ name: String, in response: String) -> String? {
        let head = response.components(separatedBy: "\r\n\r\n").first ?? ""
        for line in head.components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == name else { continue }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// `GET path` to 127.0.0.1:`port` over a connection from the loopback address `source` (which
    /// AsyncHTTPClient cannot choose), with `Connection: close`; the whole response as text.
    static func rawRequest(from source: String, port: Int, path: String, headers: [String]) async throws -> String {
        let request = (["GET \(path) HTTP/1.1", "Host: 127.0.0.1:\(port)", "Connection: close"] + headers).joined(separator: "\r\n") + "\r\n\r\n"
        return try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try blockingExchange(from: source, port: port, request: request) }) }.start()
        }
    }

    private static func blockingExchange(from source: String, port: Int, request: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ProcessFailure("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = inet_addr(source)
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_addr.s_addr = inet_addr("127.0.0.1")
        remote.sin_port = in_port_t(UInt16(port).bigEndian)
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        guard withUnsafePointer(to: &local, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) } }) == 0 else {
            throw ProcessFailure("cannot bind \(source): errno \(errno)")
        }
        guard withUnsafePointer(to: &remote, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, size) } }) == 0 else {
            throw ProcessFailure("cannot connect from \(source) to 127.0.0.1:\(port): errno \(errno)")
        }
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw ProcessFailure("send failed: errno \(errno)") }
            sent += n
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 { break }
            guard n > 0 else {
                throw ProcessFailure("no complete response within 30 s (errno \(errno)): \(String(decoding: response, as: UTF8.self))")
            }
            response += buffer.prefix(n)
        }
        return String(decoding: response, as: UTF8.self)
    }
}
