import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import Testing

/// Upstream keep-alive against an upstream that closes idle connections when it likes, as servers and
/// load balancers do: a request sent on a pooled connection the upstream is closing at that moment must
/// be sent again on a new one, not answered with a 502.
@Suite struct KeepAliveEndToEndTests {
    static let answer =
        #"{"id":"c","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}"#

    /// Answers every request on a connection with keep-alive, then, at random after an answer, closes the
    /// connection after a pause of 0 to 2 ms without reading what may have arrived meanwhile.
    static func closingAtRandom(_ connection: RawConnection) {
        var generator = SystemRandomNumberGenerator()
        while connection.readRequest(timeout: 30) != nil {
            connection.write("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: \(answer.utf8.count)\r\n\r\n\(answer)")
            if Int.random(in: 0..<4, using: &generator) == 0 {
                usleep(UInt32.random(in: 0...2000, using: &generator))
                return
            }
        }
    }

    @Test func tenThousandKeepAliveRequestsThroughAnUpstreamThatClosesIdleConnectionsAtRandomAllSucceed() async throws {
        try await withRawUpstream(script: Self.closingAtRandom) { upstream in
            try await withLLMTrace(["--log-level", "debug"]) { server in
                let url = "\(upstream.route(via: server.url, env: "keepalive"))/v1/chat/completions"
                let body = Array(#"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#.utf8)
                // How late a 50 ms sleep in this process wakes at worst: tells a stalled test process (every task
                // waits for a thread) from a slow proxy when a request fails.
                let stall = Mutex(Duration.zero)
                let monitor = Task {
                    while !Task.isCancelled {
                        let before = ContinuousClock.now
                        try? await Task.sleep(for: .milliseconds(50))
                        let late = ContinuousClock.now - before - .milliseconds(50)
                        stall.withLock { $0 = max($0, late) }
                    }
                }
                let failed = try await withThrowingTaskGroup(of: [String].self) { group in
                    for worker in 0..<8 {
                        group.addTask {
                            var failures: [String] = []
                            for i in 0..<1_250 {
                                let started = ContinuousClock.now
                                do {
                                    // Every fourth request has no body (a GET); the others a small JSON body. The
                                    // header names the request in llmtrace's record. The deadline only guards
                                    // against a hang: under a loaded test run, requests wait for a thread.
                                    let name = ("x-test-request", "\(worker)-\(i)")
                                    let reply =
                                        i % 4 == 0
                                        ? try await HTTP.send(url, headers: [name], timeout: .seconds(120))
                                        : try await HTTP.send(
                                            url,
                                            method: .POST,
                                            headers: [("content-type", "application/json"), name],
                                            body: body,
                                            timeout: .seconds(120)
                                        )
                                    if reply.status != 200 || reply.body != Array(Self.answer.utf8) {
                                        failures.append("worker \(worker) request \(i): \(reply.status) \(reply.text.prefix(300))")
                                    }
                                } catch {
                                    failures.append("worker \(worker) request \(i): \(error) after \(ContinuousClock.now - started)")
                                }
                            }
                            return failures
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
                monitor.cancel()
                if !failed.isEmpty {
                    let slow = (try? await Self.slowExchanges(on: server.url)) ?? "(cannot ask llmtrace)"
                    Issue.record(
                        """
                        \(failed.count) failed; the first: \(failed.prefix(3))
                        this process's worst late wake-up: \(stall.withLock { $0 })
                        exchanges llmtrace took over 5 s on: \(slow)
                        the server's log without its routine lines:
                        \(Self.unusual(in: server.log))
                        """
                    )
                }
                // Every exchange is recorded, none as an error.
                let stats = try await HTTP.eventually("\(server.url)/api/stats?env=keepalive", timeout: .seconds(30)) {
                    $0["totalRequests"] as? Int == 10_000
                }
                #expect(stats["errors"] as? Int == 0)
                let health = try await HTTP.send("\(server.url)/api/health").json()
                #expect((health["capture"] as? [String: Any])?["dropped"] as? Int == 0)
            }
        }
    }

    /// The exchanges llmtrace recorded as taking over 5 s: each one's test name, duration and status.
    static func slowExchanges(on server: String) async throws -> String {
        let list = try await HTTP.send("\(server)/api/requests?env=keepalive&filter=%7Ems%3E5000&limit=20").json()
        var lines: [String] = []
        for item in list["items"] as? [[String: Any]] ?? [] {
            guard let id = item["id"] as? String else { continue }
            let record = try await HTTP.send("\(server)/api/requests/\(id)").json()
            let headers = record["requestHeaders"] as? [[String: Any]] ?? []
            let name = headers.first { ($0["name"] as? String)?.lowercased() == "x-test-request" }?["value"] ?? "?"
            lines.append("\(name): \(item["durationMs"] ?? "?") ms, status \(item["status"] ?? "?")")
        }
        return lines.isEmpty ? "none" : lines.joined(separator: "; ")
    }

    /// How many requests went again on a new connection, and the last 100 lines of `log` above debug.
    static func unusual(in log: String) -> String {
        let lines = log.split(separator: "\n")
        let retried = lines.filter { $0.contains("sending again on a new one") }.count
        return "(\(retried) sent again)\n" + lines.filter { !$0.contains(" debug ") }.suffix(100).joined(separator: "\n")
    }
}
