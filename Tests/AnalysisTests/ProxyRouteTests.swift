import Testing

@testable import Analysis

@Suite struct ProxyRouteTests {
    @Test func anIngestKeyAfterTheEnvironmentIsTakenApartAndNeverForwarded() throws {
        let r = try ProxyRoute.parse("/proxy/prod:s3cr3t-_x/https/api.openai.com/v1/chat?x=1")
        #expect(r.env == "prod")
        #expect(r.ingestKey == "s3cr3t-_x")
        #expect(r.upstreamURL == "https://api.openai.com/v1/chat?x=1")
        #expect(try ProxyRoute.parse("/proxy/prod/https/h/").ingestKey == nil)
        #expect(throws: ProxyRouteError.self) { try ProxyRoute.parse("/proxy/:key/https/h/") }
    }

    @Test func aTargetThatDidNotParseIsRecordedWithoutItsKey() {
        #expect(ProxyRoute.redactingKey("/proxy/payments:s3cret/ftp/x") == "/proxy/payments:***/ftp/x")
        #expect(ProxyRoute.redactingKey("/proxy/payments:s3cret?x=1") == "/proxy/payments:***?x=1")
        #expect(ProxyRoute.redactingKey("/proxy/payments:") == "/proxy/payments:***")
        #expect(ProxyRoute.redactingKey("/proxy/dev/https/host:8080/v1") == "/proxy/dev/https/host:8080/v1")
        #expect(ProxyRoute.redactingKey("/elsewhere:x") == "/elsewhere:x")
    }

    @Test func parsesAFullRoute() throws {
        let r = try ProxyRoute.parse("/proxy/dev/https/api.openai.com/v1/chat/completions?a=1&b=2")
        #expect(r.env == "dev")
        #expect(r.scheme == "https")
        #expect(r.host == "api.openai.com")
        #expect(r.port == nil)
        #expect(r.path == "/v1/chat/completions")
        #expect(r.query == "a=1&b=2")
        #expect(r.upstreamURL == "https://api.openai.com/v1/chat/completions?a=1&b=2")
    }

    @Test func keepsEmptySegmentsTrailingSlashesAndEncoding() throws {
        let r = try ProxyRoute.parse("/proxy/e/http/localhost:11434/a//b/%2F/?")
        #expect(r.path == "/a//b/%2F/")
        #expect(r.query == "")
        #expect(r.port == 11434)
        #expect(r.upstreamURL == "http://localhost:11434/a//b/%2F/?")
    }

    @Test func hostWithoutPathForwardsToRoot() throws {
        #expect(try ProxyRoute.parse("/proxy/e/https/example.com").path == "/")
        #expect(try ProxyRoute.parse("/proxy/e/https/example.com/").path == "/")
    }

    @Test func acceptsIPLiterals() throws {
        let v4 = try ProxyRoute.parse("/proxy/e/http/127.0.0.1:8080/x")
        #expect(v4.host == "127.0.0.1")
        #expect(v4.authority == "127.0.0.1:8080")
        let v6 = try ProxyRoute.parse("/proxy/e/http/[::1]:9000/x")
        #expect(v6.host == "::1")
        #expect(v6.port == 9000)
        #expect(v6.upstreamURL == "http://[::1]:9000/x")
        // Clients percent-encode the brackets (and some the colons) of an IPv6 literal in a path.
        for spelled in ["%5B::1%5D:9000", "%5b::1%5d:9000", "%5B%3A%3A1%5D%3A9000"] {
            #expect(try ProxyRoute.parse("/proxy/e/http/\(spelled)/x") == v6, "\(spelled)")
        }
        #expect(throws: ProxyRouteError.self) { try ProxyRoute.parse("/proxy/e/http/%5B::1/x") }
        #expect(throws: ProxyRouteError.self) { try ProxyRoute.parse("/proxy/e/http/host%2Fevil/x") }
    }

    @Test func envAllowsTheDocumentedAlphabet() throws {
        #expect(try ProxyRoute.parse("/proxy/A-z_0.9/https/h/x").env == "A-z_0.9")
        #expect(try ProxyRoute.parse("/proxy/\(String(repeating: "e", count: 64))/https/h/x").env.count == 64)
    }

    static let malformed: [(String, String)] = [
        ("/proxy/", "missing its environment"),
        ("/proxy//https/h/x", "missing its environment"),
        ("/proxy/dev", "missing its scheme"),
        ("/proxy/dev/", "missing its scheme"),
        ("/proxy/dev/https", "missing its host"),
        ("/proxy/dev/https/", "missing its host"),
        ("/proxy/d!v/https/h/x", "invalid environment"),
        ("/proxy/\(String(repeating: "e", count: 65))/https/h/x", "invalid environment"),
        ("/proxy/dev/ftp/h/x", "invalid scheme"),
        ("/proxy/dev/HTTPS/h/x", "invalid scheme"),
        ("/proxy/dev/https/bad_host!/x", "invalid host"),
        ("/proxy/dev/https/-bad.com/x", "invalid host"),
        ("/proxy/dev/https/a..b/x", "invalid host"),
        ("/proxy/dev/https/\(String(repeating: "a", count: 64)).com/x", "invalid host"),
        ("/proxy/dev/https/\(String(repeating: "abcdefgh.", count: 30))com/x", "longer than 253"),
        ("/proxy/dev/https/999.1.1.1/x", "invalid host"),
        ("/proxy/dev/https/1.2.3/x", "invalid host"),
        ("/proxy/dev/https/[::1/x", "invalid host"),
        ("/proxy/dev/https/[zz::1]/x", "invalid host"),
        ("/proxy/dev/https/:80/x", "invalid host"),
        ("/proxy/dev/https/h:0/x", "invalid port"),
        ("/proxy/dev/https/h:65536/x", "invalid port"),
        ("/proxy/dev/https/h:abc/x", "invalid port"),
        ("/proxy/dev/https/h:/x", "invalid port"),
        ("/proxy/dev/https/h:-1/x", "invalid port"),
        ("/notproxy/dev/https/h/x", "does not start with /proxy/"),
    ]

    @Test(arguments: malformed)
    func rejectsMalformedRoutesWithAReason(target: String, reason: String) {
        do {
            let r = try ProxyRoute.parse(target)
            Issue.record("expected \(target) to be rejected, got \(r)")
        } catch {
            #expect(error.message.contains(reason), "\(error.message)")
        }
    }
}
