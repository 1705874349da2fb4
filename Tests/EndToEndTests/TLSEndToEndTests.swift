import AsyncHTTPClient
import Client
import Foundation
import NIOCore
import NIOSSL
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway CA and server certificates for 127.0.0.1 and localhost, made with `openssl` in a
/// temporary directory (as scripts/dev-databases makes the database servers').
struct TestCA {
    let directory: URL
    var caPath: String { directory.appendingPathComponent("ca.pem").path }

    static let openssl = URL(fileURLWithPath: "/usr/bin/openssl")

    init(directory: URL) async throws {
        self.directory = directory
        try await run([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-subj", "/CN=llmtrace TLS test CA", "-keyout", path("ca.key"), "-out", caPath,
        ])
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(toFile: path("san.ext"), atomically: true, encoding: .utf8)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Issues `NAME.pem` and `NAME.key` with subject `CN=<name>` and the serial `serial`; returns (cert, key).
    @discardableResult
    func issue(_ name: String, serial: Int) async throws -> (cert: String, key: String) {
        let (cert, key) = (path("\(name).pem"), path("\(name).key"))
        try await run([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=\(name)",
            "-keyout", key, "-out", path("\(name).csr"),
        ])
        try await run([
            "x509", "-req", "-in", path("\(name).csr"), "-CA", caPath, "-CAkey", path("ca.key"), "-set_serial", "\(serial)",
            "-days", "2", "-extfile", path("san.ext"), "-out", cert,
        ])
        return (cert, key)
    }

    private func run(_ arguments: [String]) async throws {
        let (status, output) = try await runCommand(Self.openssl, arguments)
        guard status == 0 else { throw ProcessFailure("openssl \(arguments.joined(separator: " ")) failed:\n\(output)") }
    }

    /// The subject of the certificate a new connection to `port` is shown, verified against the CA.
    func peerSubject(port: Int) async throws -> String {
        let (status, output) = try await runCommand(
            Self.openssl,
            ["s_client", "-connect", "127.0.0.1:\(port)", "-CAfile", caPath, "-verify_return_error", "-brief"]
        )
        guard status == 0 else { throw ProcessFailure("openssl s_client to 127.0.0.1:\(port) failed:\n\(output)") }
        return output
    }

    /// An HTTP client that trusts this CA only.
    var clientConfiguration: HTTPClient.Configuration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(caPath)
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.decompression = .disabled
        return configuration
    }
}

/// A test CA with the certificate `server-1` issued, in a temporary directory, for the length of `body`.
func withTestCA<T>(_ body: (TestCA, _ cert: String, _ key: String) async throws -> T) async throws -> T {
    try await withTempDirectory { dir in
        let ca = try await TestCA(directory: dir)
        let (cert, key) = try await ca.issue("server-1", serial: 1001)
        return try await body(ca, cert, key)
    }
}

private func collect(_ response: HTTPClientResponse) async throws -> String {
    var body = try await response.body.collect(upTo: 16 << 20)
    return body.readString(length: body.readableBytes) ?? ""
}

private func port(of url: String) throws -> Int {
    try #require(URLComponents(string: url)?.port)
}

/// `--tls-cert` / `--tls-key`: the API, the panel, the event stream and the proxy over HTTPS.
@Suite struct TLSEndToEndTests {
    @Test func apiPanelAndProxyAreServedOverHTTPS() async throws {
        try await withTestCA { ca, cert, key in
            try await withFakeUpstream { upstream in
                let socket = ca.path("llmtrace.sock")
                try await withLLMTrace(["--tls-cert", cert, "--tls-key", key, "--socket", socket]) { server in
                    #expect(server.url.hasPrefix("https://127.0.0.1:"))
                    #expect(server.log.contains("proxy: https://"))
                    try await withHTTPClient(configuration: ca.clientConfiguration) { client in
                        let health = try await client.execute(HTTPClientRequest(url: "\(server.url)/api/health"), timeout: .seconds(30))
                        #expect(health.status == .ok)
                        _ = try await collect(health)

                        let index = try await client.execute(HTTPClientRequest(url: "\(server.url)/"), timeout: .seconds(30))
                        #expect(index.status == .ok)
                        #expect(try await collect(index).lowercased().contains("<html"))

                        // An SSE stream through the proxy arrives whole over TLS.
                        let sse = try await client.execute(
                            HTTPClientRequest(url: "\(upstream.route(via: server.url))/sse?n=4&delay=5"),
                            timeout: .seconds(30)
                        )
                        #expect(sse.headers.first(name: "content-type") == "text/event-stream")
                        let text = try await collect(sse)
                        #expect(text == (0..<4).map(FakeUpstream.sseEvent).joined() + "data: [DONE]\n\n")

                        // The live event stream is served over TLS too.
                        var events = HTTPClientRequest(url: "\(server.url)/api/events")
                        events.headers.add(name: "accept", value: "text/event-stream")
                        let live = try await client.execute(events, timeout: .seconds(30))
                        #expect(live.status == .ok)
                        #expect(live.headers.first(name: "content-type")?.hasPrefix("text/event-stream") == true)
                    }

                    // curl verifies the chain against the CA.
                    let curl = URL(fileURLWithPath: "/usr/bin/curl")
                    let (status, body) = try await runCommand(curl, ["-sS", "--fail", "--cacert", ca.caPath, "\(server.url)/api/health"])
                    #expect(status == 0, "\(body)")
                    // Without the CA, curl refuses the certificate.
                    let (untrusted, _) = try await runCommand(curl, ["-sS", "--fail", "\(server.url)/api/health"])
                    #expect(untrusted != 0)
                    // The unix socket stays plain HTTP.
                    let (local, localBody) = try await runCommand(curl, ["-sS", "--fail", "--unix-socket", socket, "http://localhost/api/health"])
                    #expect(local == 0, "\(localBody)")
                }
            }
        }
    }

    @Test func sighupServesTheRenewedPairToNewConnectionsWhileOpenStreamsFinish() async throws {
        try await withTestCA { ca, cert, key in
            try await withFakeUpstream { upstream in
                try await withLLMTrace(["--tls-cert", cert, "--tls-key", key]) { server in
                    let serverPort = try port(of: server.url)
                    let before = try await ca.peerSubject(port: serverPort)
                    #expect(before.contains("server-1"), "\(before)")

                    try await withHTTPClient(configuration: ca.clientConfiguration) { client in
                        // A stream opened on the old pair: event 0 now, the rest once the gate opens.
                        let response = try await client.execute(
                            HTTPClientRequest(url: "\(upstream.route(via: server.url))/gated-sse?n=3"),
                            timeout: .seconds(60)
                        )
                        var iterator = response.body.makeAsyncIterator()
                        var received = ""
                        while !received.contains(FakeUpstream.sseEvent(0)), let chunk = try await iterator.next() {
                            received += String(buffer: chunk)
                        }

                        // Renew: the second certificate replaces the files, then SIGHUP.
                        let renewed = try await ca.issue("server-2", serial: 2002)
                        try FileManager.default.removeItem(atPath: cert)
                        try FileManager.default.copyItem(atPath: renewed.cert, toPath: cert)
                        try FileManager.default.removeItem(atPath: key)
                        try FileManager.default.copyItem(atPath: renewed.key, toPath: key)
                        kill(server.process.processIdentifier, SIGHUP)
                        try await waitFor("the reload", in: server) { $0.contains("reloaded the TLS certificate") }

                        let after = try await ca.peerSubject(port: serverPort)
                        #expect(after.contains("server-2"), "\(after)")
                        #expect(ProcessExit.status(of: server.process) == nil)

                        // The stream opened before the reload continues to the end.
                        upstream.openGate()
                        while let chunk = try await iterator.next() { received += String(buffer: chunk) }
                        #expect(received == (0..<3).map(FakeUpstream.sseEvent).joined() + "data: [DONE]\n\n")
                    }
                }
            }
        }
    }

    @Test func sighupWithABrokenPairKeepsTheOldOne() async throws {
        try await withTestCA { ca, cert, key in
            // Given through the environment this time.
            let environment = ["LLMTRACE_TLS_CERT": cert, "LLMTRACE_TLS_KEY": key]
            try await withLLMTrace(environment: environment) { server in
                let serverPort = try port(of: server.url)
                // The key of another certificate: the pair does not match.
                let other = try await ca.issue("server-2", serial: 2002)
                try FileManager.default.removeItem(atPath: key)
                try FileManager.default.copyItem(atPath: other.key, toPath: key)
                kill(server.process.processIdentifier, SIGHUP)
                try await waitFor("the refused reload", in: server) { $0.contains("kept the TLS certificate in use") }
                #expect(server.log.contains("does not go with the certificate"), "\(server.log)")

                // Garbage in the certificate file: refused too, and said why.
                try "not a certificate\n".write(toFile: cert, atomically: true, encoding: .utf8)
                kill(server.process.processIdentifier, SIGHUP)
                try await waitFor("the second refused reload", in: server) {
                    $0.contains("holds no certificate") || $0.contains("is not a PEM certificate")
                }

                let subject = try await ca.peerSubject(port: serverPort)
                #expect(subject.contains("server-1"), "\(subject)")
                #expect(ProcessExit.status(of: server.process) == nil)
            }
        }
    }

    @Test func aBadPairAtStartIsAConfigurationError() async throws {
        try await withTestCA { ca, cert, key in
            let other = try await ca.issue("server-2", serial: 2002)
            let mismatched = try await LLMTraceProcess.runToEnd(["serve", "--port", "0", "--no-socket", "--tls-cert", cert, "--tls-key", other.key])
            #expect(mismatched.0 != 0)
            #expect(mismatched.1.contains("--tls-key \(other.key) does not go with the certificate"), "\(mismatched.1)")

            let missing = ca.path("nowhere.pem")
            let absent = try await LLMTraceProcess.runToEnd(["serve", "--port", "0", "--no-socket", "--tls-cert", missing, "--tls-key", key])
            #expect(absent.0 != 0)
            #expect(absent.1.contains("--tls-cert \(missing) does not exist"), "\(absent.1)")

            let garbage = ca.path("garbage.key")
            try "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n".write(toFile: garbage, atomically: true, encoding: .utf8)
            let unreadable = try await LLMTraceProcess.runToEnd(["serve", "--port", "0", "--no-socket", "--tls-cert", cert, "--tls-key", garbage])
            #expect(unreadable.0 != 0)
            #expect(unreadable.1.contains("--tls-key \(garbage) is not an unencrypted PEM private key"), "\(unreadable.1)")

            let alone = try await LLMTraceProcess.runToEnd(["serve", "--port", "0", "--no-socket", "--tls-cert", cert])
            #expect(alone.0 != 0)
            #expect(alone.1.contains("needs --tls-key"), "\(alone.1)")
        }
    }

    /// Shared mode beyond loopback without TLS is warned about before anything opens (the admin
    /// database here is a closed loopback port, so the server then exits); with TLS it is not.
    @Test func sharedModeBeyondLoopbackWithoutTLSIsWarnedAbout() async throws {
        let shared = ["serve", "--mode", "shared", "--db", "postgres://u:p@127.0.0.1:1/none", "-H", "0.0.0.0", "--port", "0", "--no-socket"]
        let (_, plain) = try await LLMTraceProcess.runToEnd(shared)
        #expect(plain.contains("shared mode listening on 0.0.0.0 without TLS"), "\(plain)")
        #expect(plain.contains("passwords, access tokens and ingest keys cross the network in clear"), "\(plain)")
        #expect(plain.contains("--tls-cert FILE --tls-key FILE, or put a TLS reverse proxy in front"), "\(plain)")
        try await withTestCA { _, cert, key in
            let (_, secured) = try await LLMTraceProcess.runToEnd(shared + ["--tls-cert", cert, "--tls-key", key])
            #expect(!secured.contains("without TLS"), "\(secured)")
        }
    }
}

/// Polls the server's output until `condition` holds.
private func waitFor(_ what: String, in server: LLMTraceProcess, timeout: Duration = .seconds(20), _ condition: (String) -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition(server.log) { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw ProcessFailure("no sign of \(what) within \(timeout):\n\(server.log)")
}
