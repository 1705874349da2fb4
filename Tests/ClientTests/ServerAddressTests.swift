import Testing

@testable import Client

@Suite struct ServerAddressTests {
    @Test func parsesEveryForm() throws {
        #expect(try ServerAddress("http://127.0.0.1:8080").kind == .tcp(base: "http://127.0.0.1:8080"))
        #expect(try ServerAddress("https://trace.example.com/").kind == .tcp(base: "https://trace.example.com"))
        #expect(try ServerAddress("localhost:9000").kind == .tcp(base: "http://localhost:9000"))
        #expect(try ServerAddress("unix:///run/user/1/llmtrace.sock").kind == .unix(path: "/run/user/1/llmtrace.sock"))
        #expect(try ServerAddress("/tmp/x.sock").kind == .unix(path: "/tmp/x.sock"))
    }

    @Test func rejectsNonsenseWithAHint() {
        for bad in ["", "unix://relative.sock", "ftp://x", "http://"] {
            #expect(throws: ClientError.self, "\(bad)") { try ServerAddress(bad) }
        }
    }

    @Test func buildsURLsForTCPAndUnixSockets() throws {
        #expect(try ServerAddress("http://h:1").url("/api/events?env=a") == "http://h:1/api/events?env=a")
        let unix = try ServerAddress("/tmp/a b.sock").url("/api/health")
        #expect(unix.hasPrefix("http+unix://"))
        #expect(unix.hasSuffix("/api/health"))
        #expect(!unix.contains(" "))
    }

    @Test func sshDestinations() throws {
        #expect(try SSHTunnel.destination("me@host") == ["me@host"])
        #expect(try SSHTunnel.destination("me@host:2222") == ["-p", "2222", "me@host"])
        #expect(throws: ClientError.self) { try SSHTunnel.destination("me@host:99999") }
        #expect(throws: ClientError.self) { try SSHTunnel.destination("-oProxyCommand=evil") }
        #expect(throws: ClientError.self) { try SSHTunnel.destination("") }
    }

    @Test func freePortsAreFree() throws {
        let port = try SSHTunnel.freePort()
        #expect((1024...65535).contains(port))
    }

    @Test func errorsReadWell() {
        #expect(ClientError.unauthorized("http://h").description.contains("--password"))
        let client = LLMTraceClient(server: .unix("/s"))
        defer { Task { await client.shutdown() } }
        #expect(client.failure(status: 400, body: Array(#"{"error":{"type":"x","message":"bad filter"}}"#.utf8)) == .http(400, "bad filter"))
        // A 401 says what to do: the password (standalone), or signing in (a team server).
        #expect(client.failure(status: 401, body: Array(#"{"error":{"type":"unauthorized","message":"x"}}"#.utf8)) == .unauthorized("unix:///s"))
        #expect(
            client.failure(status: 401, body: Array(#"{"error":{"type":"unauthenticated","message":"x"}}"#.utf8))
                == .notSignedIn(server: "unix:///s", signIn: "llmtrace login --server unix:///s")
        )
        #expect(LLMTraceClient.describe(ClientError.ssh("Connection refused")) == "connection refused")
    }
}
