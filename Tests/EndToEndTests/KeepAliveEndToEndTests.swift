import AsyncHTTPClient
import Foundation
import NIOCore
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

    @Test func fourThousandKeepAliveRequestsThroughAnUpstreamThatClosesIdleConnectionsAtRandomAllSucceed() async throws {
        try await withRawUpstream(script: Self.closingAtRandom) { upstream in
            try await withLLMTrace(["--log-level", "debug"]) { server in
                let url = "\(upstream.route(via: server.url, env: "keepalive"))/v1/chat/completions"
                let body = Array(#"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#.utf8)
                let failed = try await withThrowingTaskGroup(of: [String].self) { group in
                    for worker in 0..<8 {
                        group.addTask {
                            var failures: [String] = []
                            for i in 0..<500 {
                                let started = ContinuousClock.now
                                do {
                                    // Every fourth request has no body (a GET); the others a small JSON body.
                                    let reply =
                                        i % 4 == 0
                                        ? try await HTTP.send(url)
                                        : try await HTTP.send(url, method: .POST, headers: [("content-type", "application/json")], body: body)
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
                #expect(
                    failed.isEmpty,
                    "\(failed.count) failed; the first: \(failed.prefix(3))\nthe server's log without its routine lines:\n\(Self.unusual(in: server.log))"
                )
                // Every exchange is recorded, none as an error.
                let stats = try await HTTP.eventually("\(server.url)/api/stats?env=keepalive", timeout: .seconds(30)) {
                    $0["totalRequests"] as? Int == 4_000
                }
                #expect(stats["errors"] as? Int == 0)
                let health = try await HTTP.send("\(server.url)/api/health").json()
                #expect((health["capture"] as? [String: Any])?["dropped"] as? Int == 0)
            }
        }
    }

    /// How many requests went again on a new connection, and the last 100 lines of `log` above debug.
    static func unusual(in log: String) -> String {
        let lines = log.split(separator: "\n")
        let retried = lines.filter { $0.contains("sending again on a new one") }.count
        return "(\(retried) sent again)\n" + lines.filter { !$0.contains(" debug ") }.suffix(100).joined(separator: "\n")
    }
}
