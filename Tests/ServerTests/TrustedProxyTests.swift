import HTTPTypes
import Testing

@testable import Server

/// `--trusted-proxy` in shared mode, over a real connection from 127.0.0.1: the audit log and the sign-in
/// back-off see the client a trusted proxy names, and only then.
@Suite(.enabled(if: !adminKinds.isEmpty, "neither LLMTRACE_TEST_POSTGRES_URL nor LLMTRACE_TEST_MYSQL_URL is set: trusted-proxy tests skipped"))
struct TrustedProxyTests {
    static let loopback = [IPNetwork("127.0.0.1")].compactMap { $0 }

    static func forwardedFor(_ address: String) -> HTTPFields { [ForwardedClient.xForwardedFor: address] }

    /// The address the audit log gave the creation of team `slug`.
    static func auditAddress(_ app: SharedTestApp, slug: String, token: String) async throws -> String? {
        let entries = try await app.call(.get, "/admin/audit", token: token).items
        let entry = try #require(
            entries.first { $0["action"] as? String == "team.create" && ($0["details"] as? [String: Any])?["slug"] as? String == slug }
        )
        return entry["address"] as? String
    }

    @Test(arguments: adminKinds) func theAuditLogRecordsTheForwardedClient(kind: StoreConformanceTests.Kind) async throws {
        try await SharedTestApp.with(kind, trustedProxies: Self.loopback, testing: .live) { app in
            let root = try await app.rootToken()
            let created = try await app.call(
                .post,
                "/admin/teams",
                token: root,
                body: ["slug": "forwarded", "name": "Forwarded"],
                headers: Self.forwardedFor("198.51.100.66, 203.0.113.7")
            )
            #expect(created.status == .created)
            #expect(try await Self.auditAddress(app, slug: "forwarded", token: root) == "203.0.113.7")
            _ = try await app.createTeam("direct", token: root)
            #expect(try await Self.auditAddress(app, slug: "direct", token: root) == "127.0.0.1")
        }
    }

    @Test(arguments: adminKinds) func withoutTrustedProxiesTheForwardedHeaderIsIgnored(kind: StoreConformanceTests.Kind) async throws {
        try await SharedTestApp.with(kind, testing: .live) { app in
            let root = try await app.rootToken()
            let created = try await app.call(
                .post,
                "/admin/teams",
                token: root,
                body: ["slug": "spoofed", "name": "Spoofed"],
                headers: Self.forwardedFor("203.0.113.7")
            )
            #expect(created.status == .created)
            #expect(try await Self.auditAddress(app, slug: "spoofed", token: root) == "127.0.0.1")
        }
    }

    /// The per-address back-off counts each forwarded client apart: one client guessing passwords
    /// through the proxy does not lock the others out.
    @Test(arguments: adminKinds) func theSignInBackOffIsPerForwardedClient(kind: StoreConformanceTests.Kind) async throws {
        try await SharedTestApp.with(kind, trustedProxies: Self.loopback, testing: .live) { app in
            let guesser = Self.forwardedFor("203.0.113.7")
            let limit = try #require(app.components.admin).auth.throttle.maxFailuresPerAddress
            for i in 0..<limit {
                let body = ["email": "nobody\(i)@example.com", "password": "wrong"]
                #expect(try await app.call(.post, "/admin/login", body: body, headers: guesser).status == .unauthorized)
            }
            let fresh = ["email": "someone@example.com", "password": "wrong"]
            let refused = try await app.call(.post, "/admin/login", body: fresh, headers: guesser)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.errorType == "too_many_attempts")
            // Another client of the same proxy is not held back.
            #expect(try await app.call(.post, "/admin/login", body: fresh, headers: Self.forwardedFor("203.0.113.8")).status == .unauthorized)
            let root = try await app.call(
                .post,
                "/admin/login",
                body: ["email": SharedTestApp.rootEmail, "password": SharedTestApp.rootPassword],
                headers: Self.forwardedFor("203.0.113.8")
            )
            #expect(root.status == .ok)
        }
    }
}
