import Foundation
import Testing

/// Whether the official openai and anthropic Python SDKs are installed (`bash .ci/run` installs them).
let pythonSDKsAvailable: Bool = {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import openai, anthropic"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}()

/// Whether Node is installed (`bash .ci/run` installs Debian's nodejs).
let nodeAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/node")

/// The forward proxy on llmtrace's own port, driven by real clients (curl, the official `openai` Python
/// SDK) against a local TLS upstream whose test CA llmtrace is given with `--upstream-ca`: hosts on the
/// capture list are decrypted with llmtrace's CA and recorded; every other host is tunnelled as it is.
@Suite struct ForwardProxyEndToEndTests {
    static let curl = URL(fileURLWithPath: "/usr/bin/curl")
    static let chatBody = #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#

    /// llmtrace's CA made in `dir` by `llmtrace ca`, and its certificate's path.
    static func makeCA(in dir: URL) async throws -> (directory: String, certificate: String) {
        let caDir = dir.appendingPathComponent("llmtrace-ca").path
        let (status, output) = try await LLMTraceProcess.runToEnd(["ca", "--ca-dir", caDir, "--path"])
        #expect(status == 0, "\(output)")
        return (caDir, output.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// `curl -x server <arguments>`: exit status and output (stderr included).
    static func curl(through server: LLMTraceProcess, _ arguments: [String]) async throws -> (Int32, String) {
        try await runCommand(curl, ["-sS", "--max-time", "30", "-x", server.url] + arguments)
    }

    @Test func aCapturedHostIsDecryptedWithLLMTracesCAAndRecorded() async throws {
        try await withTestCA { upstreamCA, cert, key in
            try await withTempDirectory { dir in
                let ca = try await Self.makeCA(in: dir)
                let modes = try FileManager.default.attributesOfItem(atPath: ca.directory)[.posixPermissions] as? Int
                #expect(modes == 0o700)
                let keyPath = (ca.directory as NSString).appendingPathComponent("llmtrace-ca-key.pem")
                #expect(try FileManager.default.attributesOfItem(atPath: keyPath)[.posixPermissions] as? Int == 0o600)
                #expect(try String(contentsOfFile: ca.certificate, encoding: .utf8).components(separatedBy: "BEGIN CERTIFICATE").count == 2)

                try await withFakeUpstream(tls: (cert, key)) { upstream in
                    let arguments = [
                        "--upstream-ca", upstreamCA.caPath, "--capture-host", "localhost", "--capture-host", "127.0.0.1", "--allow-private",
                        "--ca-dir", ca.directory,
                    ]
                    try await withLLMTrace(arguments) { server in
                        let target = "https://localhost:\(upstream.port)"
                        let (status, body) = try await Self.curl(
                            through: server,
                            [
                                "--cacert", ca.certificate, "-H", "content-type: application/json", "-d", Self.chatBody,
                                "\(target)/v1/chat/completions",
                            ]
                        )
                        #expect(status == 0, "\(body)")
                        #expect(body == FakeUpstream.json)
                        let list = try await HTTP.eventually("\(server.url)/api/requests?env=forward") {
                            ($0["items"] as? [[String: Any]])?.first?["complete"] as? Bool == true
                        }
                        let record = try #require((list["items"] as? [[String: Any]])?.first)
                        #expect(record["scheme"] as? String == "https")
                        #expect(record["host"] as? String == "localhost:\(upstream.port)")
                        #expect(record["path"] as? String == "/v1/chat/completions")
                        #expect(record["model"] as? String == "gpt-4o-2024-08-06")
                        #expect((record["usage"] as? [String: Any])?["inputTokens"] as? Int == 12)

                        // A stream, under the env a request header names (the header does not reach the upstream).
                        let (streamStatus, stream) = try await Self.curl(
                            through: server,
                            ["-N", "--cacert", ca.certificate, "-H", "x-llmtrace-env: mine", "\(target)/sse?n=3&delay=5"]
                        )
                        #expect(streamStatus == 0, "\(stream)")
                        #expect(stream.components(separatedBy: "data:").count - 1 == 4, "three events and [DONE]: \(stream)")
                        #expect(upstream.state.withLock { $0.lastHeaders["x-llmtrace-env"] } == nil)
                        let mine = try await HTTP.eventually("\(server.url)/api/requests?env=mine") {
                            ($0["items"] as? [[String: Any]])?.first?["complete"] as? Bool == true
                        }
                        let streamed = try #require((mine["items"] as? [[String: Any]])?.first)
                        #expect(streamed["stream"] as? Bool == true)

                        // A host given as an address: its certificate is minted for the address (no SNI either way).
                        let (ipStatus, ipBody) = try await Self.curl(
                            through: server,
                            [
                                "--cacert", ca.certificate, "-H", "x-llmtrace-env: by-address", "-d", Self.chatBody,
                                "https://127.0.0.1:\(upstream.port)/v1/chat/completions",
                            ]
                        )
                        #expect(ipStatus == 0 && ipBody == FakeUpstream.json, "\(ipBody)")
                        let byAddress = try await HTTP.eventually("\(server.url)/api/requests?env=by-address") {
                            ($0["items"] as? [[String: Any]])?.first?["complete"] as? Bool == true
                        }
                        #expect((byAddress["items"] as? [[String: Any]])?.first?["host"] as? String == "127.0.0.1:\(upstream.port)")
                    }
                }
            }
        }
    }

    @Test func anotherHostIsTunnelledByteForByteAndNotRecorded() async throws {
        try await withTestCA { upstreamCA, cert, key in
            try await withTempDirectory { dir in
                let ca = try await Self.makeCA(in: dir)
                try await withFakeUpstream(tls: (cert, key)) { upstream in
                    try await withLLMTrace(["--capture-host", "localhost", "--allow-private", "--ca-dir", ca.directory]) { server in
                        // 127.0.0.1 is not on the capture list: the client talks TLS with the upstream itself.
                        let (status, body) = try await Self.curl(
                            through: server,
                            ["--cacert", upstreamCA.caPath, "-d", Self.chatBody, "https://127.0.0.1:\(upstream.port)/v1/chat/completions"]
                        )
                        #expect(status == 0, "\(body)")
                        #expect(body == FakeUpstream.json)
                        let health = try await HTTP.send("\(server.url)/api/health").json()
                        #expect((health["forwardProxy"] as? [String: Any])?["tunnelled"] as? Int == 1, "\(health)")
                        let list = try await HTTP.send("\(server.url)/api/requests").json()
                        #expect((list["items"] as? [[String: Any]])?.isEmpty == true, "a tunnel leaves no record")
                    }
                }
            }
        }
    }

    @Test func privateAddressesBadTargetsAndUntrustingClientsGetClearAnswers() async throws {
        try await withTestCA { _, cert, key in
            try await withTempDirectory { dir in
                let ca = try await Self.makeCA(in: dir)
                try await withFakeUpstream(tls: (cert, key)) { upstream in
                    try await withLLMTrace(["--ca-dir", ca.directory]) { server in
                        // Without --allow-private the host's own addresses are refused before any connection.
                        for target in ["127.0.0.1:\(upstream.port)", "localhost:\(upstream.port)", "169.254.169.254:80", "[::1]:\(upstream.port)"] {
                            let reply = try await Self.rawConnect(server, target: target)
                            #expect(reply.hasPrefix("HTTP/1.1 403"), "\(target): \(reply)")
                            #expect(reply.contains("--allow-private"), "\(target): \(reply)")
                        }
                        let bad = try await Self.rawConnect(server, target: "no-port-here")
                        #expect(bad.hasPrefix("HTTP/1.1 400"), "\(bad)")
                        #expect(upstream.state.withLock { $0.lastHeaders }.isEmpty)
                    }
                    try await withLLMTrace(["--capture-host", "localhost", "--allow-private", "--ca-dir", ca.directory]) { server in
                        // A client that does not trust llmtrace's CA fails its handshake, and the record says why.
                        let (status, output) = try await Self.curl(through: server, ["https://localhost:\(upstream.port)/v1/models"])
                        #expect(status != 0, "\(output)")
                        let list = try await HTTP.eventually("\(server.url)/api/requests?env=forward") { !(($0["items"] as? [Any]) ?? []).isEmpty }
                        let record = try #require((list["items"] as? [[String: Any]])?.first)
                        let error = try #require(record["error"] as? [String: Any])
                        #expect(error["type"] as? String == "client_tls_failed")
                        #expect((error["message"] as? String ?? "").contains("llmtrace ca"))
                    }
                }
            }
        }
    }

    /// Sends `CONNECT target` (with `headers`) on a new connection and returns what the server answered
    /// before it closed the connection or went quiet for 3 s (a tunnel stays open).
    static func rawConnect(_ server: LLMTraceProcess, target: String, headers: [String] = []) async throws -> String {
        let script = """
            import socket, sys
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
            extra = "".join(h + "\\r\\n" for h in sys.argv[3:])
            s.sendall(("CONNECT %s HTTP/1.1\\r\\nHost: %s\\r\\n%s\\r\\n" % (sys.argv[2], sys.argv[2], extra)).encode())
            s.settimeout(3)
            data = b""
            try:
                while True:
                    chunk = s.recv(4096)
                    if not chunk: break
                    data += chunk
            except socket.timeout:
                pass
            sys.stdout.write(data.decode("utf-8", "replace"))
            """
        let (_, output) = try await runCommand(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", "-c", script, String(URL(string: server.url)?.port ?? 0), target] + headers
        )
        return output
    }

    @Test func unreachableTargetsGet502AndAPasswordIsAskedAsTheProxys() async throws {
        try await withTestCA { _, cert, key in
            try await withFakeUpstream(tls: (cert, key)) { upstream in
                // Names resolve from LLMTRACE_TEST_HOSTS alone here: nothing is looked up outside.
                let environment = ["LLMTRACE_TEST_HOSTS": "known.test=127.0.0.1"]
                try await withLLMTrace(["--allow-private"], environment: environment) { server in
                    let unresolved = try await Self.rawConnect(server, target: "nowhere.test:443")
                    #expect(unresolved.hasPrefix("HTTP/1.1 502") && unresolved.contains("nowhere.test"), "\(unresolved)")
                    let closedPort = try freePort()
                    let refused = try await Self.rawConnect(server, target: "known.test:\(closedPort)")
                    #expect(refused.hasPrefix("HTTP/1.1 502") && refused.contains("known.test:\(closedPort)"), "\(refused)")
                }
                // Listening beyond loopback with a password: CONNECT must carry it (any user name).
                try await withLLMTrace(["--host", "0.0.0.0", "--password", "pw-123", "--allow-private"]) { server in
                    let missing = try await Self.rawConnect(server, target: "127.0.0.1:\(upstream.port)")
                    #expect(missing.hasPrefix("HTTP/1.1 407") && missing.lowercased().contains("proxy-authenticate: basic"), "\(missing)")
                    let wrong = try await Self.rawConnect(
                        server,
                        target: "127.0.0.1:\(upstream.port)",
                        headers: ["Proxy-Authorization: Basic " + Data("me:nope".utf8).base64EncodedString()]
                    )
                    #expect(wrong.hasPrefix("HTTP/1.1 407"), "\(wrong)")
                    let right = try await Self.rawConnect(
                        server,
                        target: "127.0.0.1:\(upstream.port)",
                        headers: ["Proxy-Authorization: Basic " + Data("me:pw-123".utf8).base64EncodedString()]
                    )
                    #expect(right.hasPrefix("HTTP/1.1 200 Connection Established"), "\(right)")
                }
            }
        }
    }

    /// Plain HTTP through the proxy (`GET http://host/…`, as clients send with `HTTP_PROXY`): forwarded, and
    /// recorded for a host on the capture list, under the env the proxy user name gives.
    @Test func plainHTTPRequestsInAbsoluteFormAreForwardedAndRecordedForCapturedHosts() async throws {
        try await withFakeUpstream { upstream in
            try await withLLMTrace(["--capture-host", "127.0.0.1", "--allow-private"]) { server in
                let proxy = server.url.replacingOccurrences(of: "http://", with: "http://agent-1@")
                let (status, body) = try await runCommand(
                    Self.curl,
                    [
                        "-sS", "--max-time", "30", "-x", proxy, "-H", "content-type: application/json", "-d", Self.chatBody,
                        "http://127.0.0.1:\(upstream.port)/v1/chat/completions?x=1",
                    ]
                )
                #expect(status == 0 && body == FakeUpstream.json, "\(body)")
                #expect(upstream.state.withLock { $0.lastHeaders["proxy-authorization"] } == nil, "the proxy's credentials stay here")
                let list = try await HTTP.eventually("\(server.url)/api/requests?env=agent-1") {
                    ($0["items"] as? [[String: Any]])?.first?["complete"] as? Bool == true
                }
                let record = try #require((list["items"] as? [[String: Any]])?.first)
                #expect(record["scheme"] as? String == "http")
                #expect(record["path"] as? String == "/v1/chat/completions" && record["query"] as? String == "x=1")
                #expect((record["usage"] as? [String: Any])?["inputTokens"] as? Int == 12)

                // A host off the capture list: forwarded as it is, no record, no x-llmtrace-id.
                let (otherStatus, other) = try await runCommand(
                    Self.curl,
                    ["-sS", "-i", "--max-time", "30", "-x", server.url, "-d", Self.chatBody, "http://localhost:\(upstream.port)/v1/chat/completions"]
                )
                #expect(otherStatus == 0 && other.hasSuffix(FakeUpstream.json), "\(other)")
                #expect(!other.lowercased().contains("x-llmtrace-id"), "\(other)")
                let all = try await HTTP.send("\(server.url)/api/requests").json()
                #expect((all["items"] as? [Any])?.count == 1, "\(all)")
            }
            try await withLLMTrace { server in
                let (_, refused) = try await runCommand(
                    Self.curl,
                    ["-sS", "-i", "--max-time", "30", "-x", server.url, "http://127.0.0.1:\(upstream.port)/v1/models"]
                )
                #expect(refused.hasPrefix("HTTP/1.1 403") && refused.contains("--allow-private"), "\(refused)")
            }
        }
    }

    /// With no server at the default address, `llmtrace run` starts one for the program and stops it after.
    @Test(.enabled(if: !portAnswers(8080), "something listens on 127.0.0.1:8080"))
    func llmtraceRunStartsAServerWhenNoneAnswers() async throws {
        try await withTempDirectory { dir in
            var environment = ProcessInfo.processInfo.environment
            environment["HOME"] = dir.path
            environment["LLMTRACE_CA_DIR"] = dir.appendingPathComponent("ca").path
            let (status, output) = try await LLMTraceProcess.runToEnd(
                ["run", "--", "sh", "-c", "echo \"proxy=$HTTPS_PROXY bundle=$SSL_CERT_FILE\"; test -s \"$NODE_EXTRA_CA_CERTS\" && exit 4"],
                environment: environment
            )
            #expect(status == 4, "the program ran, saw the CA file and its exit status came back: \(output)")
            #expect(output.contains("proxy=http://sh@127.0.0.1:"), "\(output)")
            #expect(output.contains("one runs for this program"), "\(output)")
            #expect(output.contains("llmtrace: 0 LLM requests"), "\(output)")
        }
    }

    /// Where the forward proxy does not run (here, on the handler path), CONNECT gets a clear 501, never a
    /// 2xx a client would take for an open tunnel.
    @Test func connectWithoutTheForwardProxyIsAClear501() async throws {
        try await withLLMTrace(environment: ["LLMTRACE_PROXY_CORE": "handler"]) { server in
            let answer = try await Self.rawConnect(server, target: "api.openai.com:443")
            #expect(answer.hasPrefix("HTTP/1.1 501"), "\(answer)")
            #expect(answer.contains("forward_proxy_unavailable"), "\(answer)")
        }
    }

    /// A decrypted host whose own certificate llmtrace cannot verify is refused (502), never let through.
    @Test func anUpstreamWithAnUntrustedCertificateIsRefusedInsideTheTunnel() async throws {
        try await withTestCA { _, cert, key in
            try await withTempDirectory { dir in
                let ca = try await Self.makeCA(in: dir)
                try await withFakeUpstream(tls: (cert, key)) { upstream in
                    // No --upstream-ca: the test upstream's CA is not trusted.
                    try await withLLMTrace(["--capture-host", "localhost", "--allow-private", "--ca-dir", ca.directory]) { server in
                        let (status, output) = try await Self.curl(
                            through: server,
                            ["--cacert", ca.certificate, "-w", "\nstatus %{http_code}", "https://localhost:\(upstream.port)/v1/models"]
                        )
                        #expect(status == 0, "\(output)")
                        #expect(output.hasSuffix("status 502") && output.contains("upstream_unreachable"), "\(output)")
                        #expect(upstream.state.withLock { $0.lastHeaders }.isEmpty, "nothing reached the upstream")
                    }
                }
            }
        }
    }

    /// Tunnels count as proxied traffic, not against the API's connection limit.
    @Test func tunnelsAreNotHeldToTheAPIsConnectionLimit() async throws {
        try await withTestCA { _, cert, key in
            try await withFakeUpstream(tls: (cert, key)) { upstream in
                try await withLLMTrace(["--allow-private", "--max-connections-per-client", "2"]) { server in
                    let answers = try await withThrowingTaskGroup(of: String.self) { group in
                        for _ in 0..<5 { group.addTask { try await Self.rawConnect(server, target: "127.0.0.1:\(upstream.port)") } }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                    for answer in answers { #expect(answer.hasPrefix("HTTP/1.1 200 Connection Established"), "\(answer)") }
                }
            }
        }
    }

    @Test(.enabled(if: pythonSDKsAvailable, "needs the openai Python SDK"))
    func theOpenAIPythonSDKIsCapturedThroughHTTPSProxy() async throws {
        try await withTestCA { upstreamCA, cert, key in
            try await withTempDirectory { dir in
                let ca = try await Self.makeCA(in: dir)
                // The SDK trusts one bundle: llmtrace's CA (for the decrypted host).
                let bundle = dir.appendingPathComponent("bundle.pem").path
                try String(contentsOfFile: ca.certificate, encoding: .utf8).write(toFile: bundle, atomically: true, encoding: .utf8)
                try await withFakeUpstream(tls: (cert, key)) { upstream in
                    let arguments = ["--upstream-ca", upstreamCA.caPath, "--capture-host", "localhost", "--allow-private", "--ca-dir", ca.directory]
                    try await withLLMTrace(arguments) { server in
                        let script = """
                            import os, openai
                            client = openai.OpenAI(api_key="sk-test-forward", base_url=os.environ["BASE"])
                            reply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
                            print(reply.choices[0].message.content)
                            """
                        var environment = ProcessInfo.processInfo.environment
                        environment["HTTPS_PROXY"] = server.url
                        environment["NO_PROXY"] = ""
                        environment["SSL_CERT_FILE"] = bundle
                        environment["BASE"] = "https://localhost:\(upstream.port)/v1"
                        let (status, output) = try await runCommand(
                            URL(fileURLWithPath: "/usr/bin/env"),
                            ["python3", "-c", script],
                            environment: environment
                        )
                        #expect(status == 0, "\(output)")
                        #expect(output.contains("Hello there"), "\(output)")
                        let list = try await HTTP.eventually("\(server.url)/api/requests?env=forward") {
                            ($0["items"] as? [[String: Any]])?.first?["complete"] as? Bool == true
                        }
                        let record = try #require((list["items"] as? [[String: Any]])?.first)
                        #expect(record["model"] as? String == "gpt-4o-2024-08-06")
                        let detail = try await HTTP.send("\(server.url)/api/requests/\(record["id"] as? String ?? "")").json()
                        #expect(!"\(detail)".contains("sk-test-forward"), "the key never reaches storage")
                    }
                }
            }
        }
    }

    /// `llmtrace run -- CMD`: the program's calls recorded under its name (or --env) without touching it,
    /// its exit status passed back, and a summary line at the end. (`--no-proxy ""`: the test upstream is
    /// on loopback, which programs otherwise reach directly.)
    @Test(.enabled(if: pythonSDKsAvailable && nodeAvailable, "needs the openai and anthropic Python SDKs and Node"))
    func llmtraceRunCapturesAPythonProgramAndANodeOneAndPassesTheirExitStatusBack() async throws {
        try await withTestCA { upstreamCA, cert, key in
            try await withTempDirectory { dir in
                let ca = try await Self.makeCA(in: dir)
                try await withFakeUpstream(tls: (cert, key)) { upstream in
                    let arguments = ["--upstream-ca", upstreamCA.caPath, "--capture-host", "localhost", "--allow-private", "--ca-dir", ca.directory]
                    try await withLLMTrace(arguments) { server in
                        var environment = ProcessInfo.processInfo.environment
                        environment["TARGET"] = "https://localhost:\(upstream.port)"
                        let python = """
                            import os, openai
                            client = openai.OpenAI(api_key="sk-test-run", base_url=os.environ["TARGET"] + "/v1")
                            reply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
                            print("python got:", reply.choices[0].message.content)
                            import anthropic
                            claude = anthropic.Anthropic(api_key="sk-ant-test-run", base_url=os.environ["TARGET"])
                            with claude.messages.stream(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": "hi"}]) as stream:
                                print("anthropic got:", "".join(stream.text_stream))
                            """
                        let (status, output) = try await LLMTraceProcess.runToEnd(
                            ["run", "--server", server.url, "--no-proxy", "", "--", "python3", "-c", python],
                            environment: environment
                        )
                        #expect(status == 0, "\(output)")
                        #expect(output.contains("python got: Hello there"), "\(output)")
                        #expect(output.contains("anthropic got: Bonjour le monde"), "\(output)")
                        #expect(output.contains("llmtrace: 2 LLM requests"), "\(output)")
                        #expect(output.contains("env python3"), "\(output)")
                        let list = try await HTTP.send("\(server.url)/api/requests?env=python3").json()
                        let models = Set(((list["items"] as? [[String: Any]]) ?? []).compactMap { $0["model"] as? String })
                        #expect(models == ["gpt-4o-2024-08-06", "claude-sonnet-4-5-20250929"], "\(list)")
                        let claudeRecord = try #require((list["items"] as? [[String: Any]])?.first { $0["provider"] as? String == "anthropic" })
                        #expect(claudeRecord["text"] as? String == "Bonjour le monde")

                        // Node 20's fetch does not read HTTPS_PROXY: this script opens the CONNECT itself with
                        // core modules (an explicit agent) and trusts llmtrace's CA through NODE_EXTRA_CA_CERTS.
                        let node = """
                            const http = require("node:http"), https = require("node:https"), tls = require("node:tls");
                            const proxy = new URL(process.env.HTTPS_PROXY), target = new URL(process.env.TARGET);
                            const auth = Buffer.from(decodeURIComponent(proxy.username) + ":" + decodeURIComponent(proxy.password)).toString("base64");
                            const connect = http.request({ host: proxy.hostname, port: proxy.port, method: "CONNECT",
                                path: target.hostname + ":" + target.port, headers: { "proxy-authorization": "Basic " + auth } });
                            connect.on("connect", (res, socket) => {
                                const req = https.request({ host: target.hostname, port: target.port, path: "/v1/chat/completions", method: "POST",
                                    headers: { "content-type": "application/json" },
                                    createConnection: () => tls.connect({ socket, servername: target.hostname }) }, (r) => {
                                    let body = ""; r.on("data", (c) => body += c); r.on("end", () => { console.log("node got:", JSON.parse(body).choices[0].message.content); process.exit(3); });
                                });
                                req.end(JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }));
                            });
                            connect.end();
                            """
                        let (nodeStatus, nodeOutput) = try await LLMTraceProcess.runToEnd(
                            ["run", "--server", server.url, "--env", "agent-7", "--no-proxy", "", "--", "node", "-e", node],
                            environment: environment
                        )
                        #expect(nodeStatus == 3, "the program's exit status comes back: \(nodeOutput)")
                        #expect(nodeOutput.contains("node got: Hello there"), "\(nodeOutput)")
                        #expect(nodeOutput.contains("llmtrace: 1 LLM request") && nodeOutput.contains("env agent-7"), "\(nodeOutput)")
                    }
                }
            }
        }
    }
}
