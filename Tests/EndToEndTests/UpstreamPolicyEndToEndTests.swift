import Foundation
import Testing

/// The upstream policy in the real binary. Names resolve from `LLMTRACE_TEST_HOSTS` alone, and that
/// variable also makes llmtrace connect to loopback addresses only: a policy that wrongly let a
/// metadata address through would meet a "test guard" refusal (and fail the test), never the network.
@Suite struct UpstreamPolicyEndToEndTests {
    static func hosts(_ upstream: FakeUpstream) -> [String: String] {
        ["LLMTRACE_TEST_HOSTS": "ollama.test=127.0.0.1,rebind.test=169.254.169.254,rebind.test=127.0.0.1"]
    }

    /// The server's URL on 127.0.0.1 (it listens on every address; the tests speak to loopback only).
    static func loopbackURL(_ server: LLMTraceProcess) -> String {
        server.url.replacingOccurrences(of: "://0.0.0.0:", with: "://127.0.0.1:").replacingOccurrences(of: "://[::]:", with: "://127.0.0.1:")
    }

    @Test func listeningBeyondLoopbackRefusesEverySpellingOfTheMetadataAddressWhileLoopbackUpstreamsWork() async throws {
        try await withFakeUpstream { upstream in
            try await withLLMTrace(["-H", "0.0.0.0", "--password", "pw"], environment: Self.hosts(upstream)) { server in
                #expect(server.log.contains("upstreams: any upstream but link-local and cloud metadata addresses"))
                let base = Self.loopbackURL(server)
                let auth = [("authorization", "Bearer pw")]

                // A local, Ollama-style upstream by name and by address still works.
                let byName = try await HTTP.send(
                    "\(base)/proxy/dev/http/ollama.test:\(upstream.port)/v1/chat/completions",
                    method: .POST,
                    body: Array(#"{"model":"llama3"}"#.utf8)
                )
                #expect(byName.status == 200)
                #expect(byName.body == Array(FakeUpstream.json.utf8))
                // The upstream was reached at the checked address and still saw the name the client used.
                #expect(upstream.state.withLock { $0.lastHeaders["host"] } == "ollama.test:\(upstream.port)")
                let byAddress = try await HTTP.send("\(upstream.route(via: base))/v1/chat/completions", method: .POST, body: Array("{}".utf8))
                #expect(byAddress.status == 200)

                for host in [
                    "169.254.169.254", "0xa9.0xfe.0xa9.0xfe", "0xa9fea9fe", "0251.0xfe.0xa9fe", "[::ffff:169.254.169.254]", "[::ffff:a9fe:a9fe]",
                    "[64:ff9b::a9fe:a9fe]", "[fe80::1]", "[fd00:ec2::254]", "metadata.google.internal", "rebind.test", "169.254.169.254:80",
                ] {
                    let reply = try await HTTP.send("\(base)/proxy/dev/http/\(host)/latest/meta-data/iam/security-credentials/")
                    #expect(reply.status == 403, "\(host): \(String(decoding: reply.body, as: UTF8.self))")
                    let error = try reply.json()["error"] as? [String: Any]
                    #expect(error?["type"] as? String == "upstream_not_allowed", "\(host)")
                    #expect((error?["message"] as? String)?.contains("--allow-upstream") == true, "\(host)")
                    // The refusal is recorded, like any other failed call.
                    let id = try #require(reply.headers.first(name: "x-llmtrace-id"))
                    let record = try await HTTP.eventually("\(base)/api/requests/\(id)", headers: auth) { $0["complete"] as? Bool == true }
                    #expect(record["status"] as? Int == 403)
                    #expect((record["error"] as? [String: Any])?["type"] as? String == "upstream_not_allowed")
                }
                // All-digit spellings never parse as a route.
                for host in ["2852039166", "169.254.43518", "0251.0376.0251.0376"] {
                    let reply = try await HTTP.send("\(base)/proxy/dev/http/\(host)/latest/meta-data/")
                    #expect(reply.status == 400, "\(host)")
                }
                #expect(!server.log.contains("test guard"))
            }
        }
    }

    @Test func anAllowListLimitsTheProxyToWhatItNames() async throws {
        try await withFakeUpstream { upstream in
            let arguments = ["--allow-upstream", "ollama.test:\(upstream.port)", "--allow-upstream", "*.example.invalid"]
            try await withLLMTrace(arguments, environment: Self.hosts(upstream)) { server in
                #expect(server.log.contains("upstreams: only ollama.test:\(upstream.port), *.example.invalid"))
                let allowed = try await HTTP.send(
                    "\(server.url)/proxy/dev/http/ollama.test:\(upstream.port)/v1/chat/completions",
                    method: .POST,
                    body: Array("{}".utf8)
                )
                #expect(allowed.status == 200)
                // The same upstream by address is not named, nor is another port of the named host.
                let byAddress = try await HTTP.send("\(upstream.route(via: server.url))/v1/models")
                #expect(byAddress.status == 403)
                let otherPort = try await HTTP.send("\(server.url)/proxy/dev/http/ollama.test:1/v1/models")
                #expect(otherPort.status == 403)
                let message = try otherPort.json()["error"].flatMap { ($0 as? [String: Any])?["message"] as? String }
                #expect(message?.contains("not in this server's upstream allow list") == true)
                #expect(!server.log.contains("test guard"))
            }
        }
    }

    @Test func aBadPatternStopsTheServerWithTheReason() async throws {
        let (status, output) = try await LLMTraceProcess.runToEnd(["serve", "--no-socket", "--port", "0", "--allow-upstream", "10.0.0.0/33"])
        #expect(status != 0)
        #expect(output.contains("'10.0.0.0/33' is not an upstream pattern"))
    }
}
