import Foundation
import Testing

/// The channel-level proxy core (the default; `LLMTRACE_PROXY_CORE=handler` turns it off) on one client
/// connection: proxy and API requests share it in any order, pipelined requests are answered in order,
/// and `Connection: close` closes it after its answer. (CI runs the proxy's suites on the older path too.)
@Suite struct ChannelCoreEndToEndTests {
    static let core = ["LLMTRACE_PROXY_CORE": "channel"]

    @Test func proxyAndAPIRequestsPipelinedOnOneConnectionAreAnsweredInOrder() async throws {
        try await withFakeUpstream { upstream in
            try await withLLMTrace(environment: Self.core) { server in
                let prefix = "/proxy/pipelined/http/127.0.0.1:\(upstream.port)"
                let body = #"{"model":"gpt-4o","messages":[]}"#
                let requests = [
                    "POST \(prefix)/v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: \(body.utf8.count)\r\n\r\n\(body)",
                    "GET /api/health HTTP/1.1\r\nhost: x\r\n\r\n",
                    "GET \(prefix)/bytes?n=5 HTTP/1.1\r\nhost: x\r\n\r\n",
                    "GET /api/stats?env=pipelined HTTP/1.1\r\nhost: x\r\n\r\n",
                    "GET \(prefix)/status/429 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
                ]
                try await withRawClient(to: server.url, sending: requests.joined()) { client in
                    let text = try await client.closedByServer()
                    let statuses = text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { $0.prefix(3) }
                    #expect(statuses == ["200", "200", "200", "200", "429"], "\(text.prefix(2000))")
                    #expect(text.contains(FakeUpstream.json))
                    #expect(text.contains("rate_limit_error"))
                    #expect(text.components(separatedBy: "x-llmtrace-id:").count - 1 == 3)
                }
                let stats = try await HTTP.eventually("\(server.url)/api/stats?env=pipelined") { $0["totalRequests"] as? Int == 3 }
                #expect(stats["errors"] as? Int == 1)
            }
        }
    }

    @Test func aProxyRequestAfterAnAPIRequestOnAKeptAliveConnectionIsForwarded() async throws {
        try await withFakeUpstream { upstream in
            try await withLLMTrace(environment: Self.core) { server in
                let prefix = "/proxy/mixed/http/127.0.0.1:\(upstream.port)"
                try await withRawClient(to: server.url, sending: "GET /api/health HTTP/1.1\r\nhost: x\r\n\r\n") { client in
                    try await Self.waitFor("the health answer", in: client) { $0.contains("\"capture\"") }
                    try await client.send("GET \(prefix)/bytes?n=7 HTTP/1.1\r\nhost: x\r\n\r\n")
                    try await Self.waitFor("the proxied answer", in: client) { $0.contains("x-llmtrace-id:") }
                    try await client.send("GET /api/stats HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
                    let text = try await client.closedByServer()
                    #expect(text.components(separatedBy: "HTTP/1.1 200").count - 1 == 3, "\(text.prefix(2000))")
                }
            }
        }
    }

    static func waitFor(_ what: String, in client: RawClient, _ condition: (String) -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while !condition(client.text) {
            guard ContinuousClock.now < deadline else { throw ProcessFailure("\(what) did not arrive; got: \(client.text.prefix(2000))") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
