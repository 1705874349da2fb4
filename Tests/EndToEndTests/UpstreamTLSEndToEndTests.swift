import Foundation
import Testing

/// HTTPS upstreams, on both proxy cores: certificates verified against the system's CAs plus
/// `--upstream-ca`, by name (SNI and the name checked) and by IP address, and refused without the CA.
@Suite struct UpstreamTLSEndToEndTests {
    static let cores: [[String: String]] = [["LLMTRACE_PROXY_CORE": "handler"], ["LLMTRACE_PROXY_CORE": "channel"]]

    @Test(arguments: cores)
    func anHTTPSUpstreamSignedByTheGivenCAIsForwardedAndCaptured(core: [String: String]) async throws {
        try await withTestCA { ca, cert, key in
            try await withFakeUpstream(tls: (cert, key)) { upstream in
                try await withLLMTrace(["--upstream-ca", ca.caPath], environment: core) { server in
                    for host in ["localhost", "127.0.0.1"] {
                        let base = "\(server.url)/proxy/tls/https/\(host):\(upstream.port)"
                        let reply = try await HTTP.send(
                            "\(base)/v1/chat/completions",
                            method: .POST,
                            headers: [("content-type", "application/json")],
                            body: Array(#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#.utf8)
                        )
                        #expect(reply.status == 200, "\(host): \(reply.text.prefix(300))")
                        #expect(reply.text == FakeUpstream.json)
                        let id = try #require(reply.headers.first(name: "x-llmtrace-id"))
                        let record = try await HTTP.eventually("\(server.url)/api/requests/\(id)") { $0["complete"] as? Bool == true }
                        #expect(record["scheme"] as? String == "https")
                        #expect((record["usage"] as? [String: Any])?["inputTokens"] as? Int == 12)

                        let stream = try await HTTP.send("\(base)/sse?n=3&delay=5")
                        #expect(stream.status == 200)
                        #expect(stream.text.components(separatedBy: "data:").count - 1 >= 3, "\(stream.text.prefix(300))")
                    }
                }
            }
        }
    }

    @Test(arguments: cores)
    func anHTTPSUpstreamNoTrustedCASignedIsRefusedWithAClearError(core: [String: String]) async throws {
        try await withTestCA { _, cert, key in
            try await withFakeUpstream(tls: (cert, key)) { upstream in
                try await withLLMTrace(environment: core) { server in
                    let reply = try await HTTP.send("\(server.url)/proxy/tls/https/localhost:\(upstream.port)/v1/models")
                    #expect(reply.status == 502)
                    let error = try #require(try reply.json()["error"] as? [String: Any])
                    #expect(error["type"] as? String == "upstream_unreachable")
                    let message = (error["message"] as? String ?? "").lowercased()
                    #expect(message.contains("certificate") || message.contains("handshake"), "\(message)")
                    #expect(upstream.state.withLock { $0.lastHeaders }.isEmpty, "no request reached the upstream")
                }
            }
        }
    }

    @Test(arguments: cores)
    func anUpstreamThatNeverFinishesItsTLSHandshakeGets502AtTheConnectTimeout(core: [String: String]) async throws {
        try await withRawUpstream(script: { connection in
            // Takes the connection and the client's hello, and never answers.
            connection.waitForPeerClose(timeout: 60)
        }) { raw in
            try await withLLMTrace(["--upstream-connect-timeout", "1"], environment: core) { server in
                let reply = try await HTTP.send("\(server.url)/proxy/tls/https/127.0.0.1:\(raw.port)/v1/models")
                #expect(reply.status == 502)
                let error = try #require(try reply.json()["error"] as? [String: Any])
                #expect(error["type"] as? String == "upstream_unreachable")
                // "TLS handshake timed out" on the channel core; AsyncHTTPClient says "connection timed out".
                #expect((error["message"] as? String ?? "").contains("timed out"), "\(error)")
            }
        }
    }

    @Test func aCAFileThatIsNotPEMStopsTheServerAtStart() async throws {
        try await withTempDirectory { dir in
            let bad = dir.appendingPathComponent("ca.pem")
            try Data("not a certificate".utf8).write(to: bad)
            let (status, output) = try await LLMTraceProcess.runToEnd(["serve", "--port", "0", "--no-socket", "--upstream-ca", bad.path])
            #expect(status != 0)
            #expect(output.contains("--upstream-ca"), "\(output.prefix(500))")
            let (missingStatus, missing) = try await LLMTraceProcess.runToEnd([
                "serve", "--port", "0", "--no-socket", "--upstream-ca", "/nonexistent/ca.pem",
            ])
            #expect(missingStatus != 0)
            #expect(missing.contains("cannot read the CA certificate file"), "\(missing.prefix(500))")
        }
    }
}
