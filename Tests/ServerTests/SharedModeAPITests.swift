import Foundation
import HTTPTypes
import Testing

@testable import LLMTraceModel
@testable import Server

/// Shared mode's admin API and tenancy, through the router, on each configured database server.
@Suite(.enabled(if: !adminKinds.isEmpty, "neither LLMTRACE_TEST_POSTGRES_URL nor LLMTRACE_TEST_MYSQL_URL is set: shared-mode API tests skipped"))
struct SharedModeAPITests {
    /// Two teams: `alpha` (root owner, alice admin, amy member) and `beta` (root owner, bob owner).
    struct Cast {
        var root: String
        var rootID: String
        var alpha: String
        var beta: String
        var alice: (id: String, token: String)
        var amy: (id: String, token: String)
        var bob: (id: String, token: String)
    }

    static func cast(_ app: SharedTestApp) async throws -> Cast {
        let rootLogin = try await app.login(SharedTestApp.rootEmail, SharedTestApp.rootPassword)
        let root = try #require(rootLogin["accessToken"] as? String)
        let rootID = try #require((rootLogin["user"] as? [String: Any])?["id"] as? String)
        let alpha = try await app.createTeam("alpha", token: root)
        let beta = try await app.createTeam("beta", token: root)
        let alice = try await app.invite("alice@example.com", to: alpha, role: "admin", password: "alice-password", token: root)
        let amy = try await app.invite("amy@example.com", to: alpha, role: "member", password: "amy-password", token: root)
        let bob = try await app.invite("bob@example.com", to: beta, role: "owner", password: "bob-password", token: root)
        return Cast(root: root, rootID: rootID, alpha: alpha, beta: beta, alice: alice, amy: amy, bob: bob)
    }

    @Test(arguments: adminKinds) func roleMatrix(kind: StoreConformanceTests.Kind) async throws {
        try await SharedTestApp.with(kind) { app in
            let c = try await Self.cast(app)
            // /admin/me names the teams and roles.
            let me = try await app.call(.get, "/admin/me", token: c.alice.token)
            #expect((me.object["teams"] as? [[String: Any]])?.map { $0["role"] as? String } == ["admin"])
            #expect(try await app.call(.get, "/admin/me").status == .unauthorized)
            #expect(try await app.call(.get, "/admin/me", token: "not-a-token").errorType == "unauthenticated")

            // A member cannot invite, nor change roles, nor delete the team.
            #expect(
                try await app.call(.post, "/admin/teams/\(c.alpha)/users", token: c.amy.token, body: ["email": "x@example.com"]).status == .forbidden
            )
            #expect(
                try await app.call(.patch, "/admin/teams/\(c.alpha)/users/\(c.alice.id)", token: c.amy.token, body: ["role": "member"]).status
                    == .forbidden
            )
            #expect(try await app.call(.delete, "/admin/teams/\(c.alpha)", token: c.amy.token).status == .forbidden)
            // A member sees the team and its members.
            #expect(try await app.call(.get, "/admin/teams/\(c.alpha)/users", token: c.amy.token).items.count == 3)

            // An admin of alpha touching beta: 404, as if it did not exist.
            #expect(try await app.call(.get, "/admin/teams/\(c.beta)", token: c.alice.token).status == .notFound)
            #expect(try await app.call(.get, "/admin/teams/\(c.beta)/users", token: c.alice.token).status == .notFound)
            #expect(
                try await app.call(.post, "/admin/teams/\(c.beta)/users", token: c.alice.token, body: ["email": "y@example.com"]).status == .notFound
            )
            #expect(
                try await app.call(.post, "/admin/environments", token: c.alice.token, body: ["envId": "sneaky", "teamId": c.beta]).status
                    == .notFound
            )
            #expect(try await app.call(.get, "/admin/teams", token: c.alice.token).items.map { $0["slug"] as? String } == ["alpha"])

            // Nobody promotes himself; an admin makes admins, not owners.
            #expect(
                try await app.call(.patch, "/admin/teams/\(c.alpha)/users/\(c.alice.id)", token: c.alice.token, body: ["role": "owner"]).status
                    == .forbidden
            )
            #expect(
                try await app.call(.patch, "/admin/teams/\(c.alpha)/users/\(c.amy.id)", token: c.alice.token, body: ["role": "owner"]).status
                    == .forbidden
            )
            let promoted = try await app.call(.patch, "/admin/teams/\(c.alpha)/users/\(c.amy.id)", token: c.alice.token, body: ["role": "admin"])
            #expect(promoted.status == .ok && promoted.string("role") == "admin")
            #expect(
                try await app.call(.patch, "/admin/teams/\(c.alpha)/users/\(c.amy.id)", token: c.alice.token, body: ["role": "member"]).status == .ok
            )
            #expect(
                try await app.call(.patch, "/admin/users/\(c.alice.id)/system-admin", token: c.alice.token, body: ["systemAdmin": true]).status
                    == .forbidden
            )
            #expect(try await app.call(.get, "/admin/users", token: c.alice.token).status == .forbidden)
            #expect(try await app.call(.get, "/admin/users", token: c.root).items.count == 4)

            // The last owner cannot leave, nor be demoted; bob (beta's owner) can leave once root is not the only other.
            #expect(try await app.call(.delete, "/admin/teams/\(c.alpha)/users/\(c.rootID)", token: c.root).status == .conflict)
            #expect(
                try await app.call(.patch, "/admin/teams/\(c.beta)/users/\(c.rootID)", token: c.bob.token, body: ["role": "member"]).status == .ok
            )
            #expect(try await app.call(.delete, "/admin/teams/\(c.beta)/users/\(c.bob.id)", token: c.bob.token).status == .conflict)
            #expect(try await app.call(.delete, "/admin/teams/\(c.alpha)/users/\(c.rootID)", token: c.alice.token).status == .forbidden)
            // A member may leave.
            #expect(try await app.call(.delete, "/admin/teams/\(c.alpha)/users/\(c.amy.id)", token: c.amy.token).status == .noContent)
            #expect(try await app.call(.get, "/admin/teams/\(c.alpha)", token: c.amy.token).status == .notFound)
            let withGone = try await app.call(.get, "/admin/teams/\(c.alpha)/users?includeDeleted=1", token: c.alice.token)
            #expect(withGone.items.count == 3)
            #expect(try await app.call(.post, "/admin/teams/\(c.alpha)/users/\(c.amy.id)/restore", token: c.alice.token).status == .ok)

            // Adding an existing account makes a member at once.
            let added = try await app.call(.post, "/admin/teams/\(c.beta)/users", token: c.bob.token, body: ["email": "alice@example.com"])
            #expect(added.status == .created && (added.object["member"] as? [String: Any])?["role"] as? String == "member")

            // The audit log: root sees all, alice her team's, amy nothing.
            #expect(try await app.call(.get, "/admin/audit", token: c.amy.token).status == .forbidden)
            let aliceAudit = try await app.call(.get, "/admin/audit", token: c.alice.token).items
            #expect(!aliceAudit.isEmpty)
            let rootAudit = try await app.call(.get, "/admin/audit", token: c.root).items
            #expect(rootAudit.count > aliceAudit.count)
            #expect(rootAudit.contains { $0["action"] as? String == "member.role" })
        }
    }

    @Test(arguments: adminKinds) func softDeleteAndRestoreAnswer409OnATakenKey(kind: StoreConformanceTests.Kind) async throws {
        try await SharedTestApp.with(kind) { app in
            let c = try await Self.cast(app)
            let created = try await app.call(
                .post,
                "/admin/environments",
                token: c.alice.token,
                body: ["envId": "alpha-dev", "teamId": c.alpha, "requireKey": true]
            )
            #expect(created.status == .created)
            #expect(created.string("ingestKey")?.isEmpty == false)
            #expect(created.string("proxyBaseUrl") == "/proxy/alpha-dev")
            let envID = try #require(created.string("id"))
            #expect(
                try await app.call(.post, "/admin/environments", token: c.bob.token, body: ["envId": "alpha-dev", "teamId": c.beta]).status
                    == .conflict
            )
            #expect(
                try await app.call(.post, "/admin/environments", token: c.amy.token, body: ["envId": "amy-env", "teamId": c.alpha]).status
                    == .forbidden
            )
            #expect(
                try await app.call(.post, "/admin/environments", token: c.alice.token, body: ["envId": "bad env", "teamId": c.alpha]).errorType
                    == "invalid_request"
            )
            #expect(try await app.call(.delete, "/admin/environments/\(envID)", token: c.amy.token).status == .forbidden)
            #expect(try await app.call(.delete, "/admin/environments/\(envID)", token: c.alice.token).status == .noContent)
            #expect(try await app.call(.get, "/admin/environments", token: c.alice.token).items.isEmpty)
            #expect(try await app.call(.get, "/admin/environments?includeDeleted=1", token: c.alice.token).items.count == 1)
            // Taken again by beta: alpha's cannot come back until beta's goes.
            let taken = try await app.call(.post, "/admin/environments", token: c.bob.token, body: ["envId": "alpha-dev", "teamId": c.beta])
            #expect(taken.status == .created)
            let restore = try await app.call(.post, "/admin/environments/\(envID)/restore", token: c.alice.token)
            #expect(restore.status == .conflict && restore.errorType == "conflict")
            #expect(try await app.call(.delete, "/admin/environments/\(try #require(taken.string("id")))", token: c.bob.token).status == .noContent)
            #expect(try await app.call(.post, "/admin/environments/\(envID)/restore", token: c.alice.token).status == .ok)

            // Teams: only an owner deletes; the slug frees; restore 409 while taken.
            #expect(try await app.call(.delete, "/admin/teams/\(c.alpha)", token: c.alice.token).status == .forbidden)
            #expect(try await app.call(.delete, "/admin/teams/\(c.alpha)", token: c.root).status == .noContent)
            #expect(try await app.call(.get, "/admin/teams", token: c.root).items.map { $0["slug"] as? String } == ["beta"])
            #expect(try await app.call(.get, "/admin/teams?includeDeleted=1", token: c.root).items.count == 2)
            let again = try await app.createTeam("alpha", token: c.bob.token)
            #expect(try await app.call(.post, "/admin/teams/\(c.alpha)/restore", token: c.root).status == .conflict)
            #expect(try await app.call(.patch, "/admin/teams/\(again)", token: c.bob.token, body: ["slug": "alpha-2"]).status == .ok)
            #expect(try await app.call(.post, "/admin/teams/\(c.alpha)/restore", token: c.root).status == .ok)
        }
    }

    @Test(arguments: adminKinds) func loginRefreshRotationAndThrottle(kind: StoreConformanceTests.Kind) async throws {
        try await SharedTestApp.with(kind) { app in
            let c = try await Self.cast(app)
            _ = c
            // The same answer for an unknown email and a wrong password.
            let unknown = try await app.call(.post, "/admin/login", body: ["email": "nobody@example.com", "password": "whatever1"])
            let wrong = try await app.call(.post, "/admin/login", body: ["email": "amy@example.com", "password": "wrong-password"])
            #expect(unknown.status == .unauthorized && wrong.status == .unauthorized)
            #expect(unknown.errorType == "invalid_credentials")
            #expect(NSDictionary(dictionary: unknown.object).isEqual(to: wrong.object))
            // Refresh: a new pair; the spent token again revokes the session.
            let first = try await app.login("amy@example.com", "amy-password")
            let r1 = try #require(first["refreshToken"] as? String)
            let second = try await app.call(.post, "/admin/refresh", body: ["refreshToken": r1])
            #expect(second.status == .ok)
            let r2 = try #require(second.string("refreshToken"))
            #expect(r2 != r1)
            #expect(try await app.call(.get, "/admin/me", token: second.string("accessToken")).status == .ok)
            #expect(try await app.call(.post, "/admin/refresh", body: ["refreshToken": r1]).status == .unauthorized)
            #expect(try await app.call(.post, "/admin/refresh", body: ["refreshToken": r2]).status == .unauthorized)
            // Logout spends the session.
            let third = try await app.login("amy@example.com", "amy-password")
            let r3 = try #require(third["refreshToken"] as? String)
            #expect(try await app.call(.post, "/admin/logout", body: ["refreshToken": r3]).status == .noContent)
            #expect(try await app.call(.post, "/admin/refresh", body: ["refreshToken": r3]).status == .unauthorized)
            // Five failures for one email: the sixth attempt, even with the right password, waits.
            for _ in 0..<5 { try await app.call(.post, "/admin/login", body: ["email": "amy@example.com", "password": "wrong-password"]) }
            let throttled = try await app.call(.post, "/admin/login", body: ["email": "amy@example.com", "password": "amy-password"])
            #expect(throttled.status == .tooManyRequests && throttled.errorType == "too_many_attempts")
            #expect(Int(throttled.headers[.retryAfter] ?? "") ?? 0 > 0)
            // Bad bodies are 400 invalid_request.
            #expect(try await app.call(.post, "/admin/login", body: ["email": "x"]).errorType == "invalid_request")
        }
    }

    @Test(arguments: adminKinds) func readsAndClearingStayWithinTheCallersTeams(kind: StoreConformanceTests.Kind) async throws {
        try await SharedTestApp.with(kind) { app in
            let c = try await Self.cast(app)
            #expect(
                try await app.call(.post, "/admin/environments", token: c.alice.token, body: ["envId": "alpha-dev", "teamId": c.alpha]).status
                    == .created
            )
            #expect(
                try await app.call(.post, "/admin/environments", token: c.bob.token, body: ["envId": "beta-prod", "teamId": c.beta]).status
                    == .created
            )
            let records = (0..<6).map { i in StoreTests.record(i, env: i % 2 == 0 ? "alpha-dev" : "beta-prod") }
            for r in records { app.components.pipeline.submit(r) }
            await app.components.pipeline.flush()
            let betaID = records[1].id
            let alphaID = records[0].id

            #expect(try await app.call(.get, "/api/requests").status == .unauthorized)
            #expect(try await app.call(.get, "/cgi-bin/requests").status == .unauthorized)
            let amyList = try await app.call(.get, "/api/requests", token: c.amy.token).items
            #expect(Set(amyList.compactMap { $0["env"] as? String }) == ["alpha-dev"] && amyList.count == 3)
            #expect(try await app.call(.get, "/api/requests?env=beta-prod", token: c.amy.token).items.isEmpty)
            #expect(try await app.call(.get, "/api/requests/\(betaID)", token: c.amy.token).status == .notFound)
            #expect(try await app.call(.get, "/api/requests/\(alphaID)", token: c.amy.token).status == .ok)
            #expect(try await app.call(.get, "/cgi-bin/request/\(betaID)", token: c.amy.token).status == .notFound)
            #expect(try await app.call(.get, "/cgi-bin/requests", token: c.bob.token).items.count == 3)
            let stats = try await app.call(.get, "/api/stats", token: c.amy.token).object
            #expect((stats["envBreakdown"] as? [[String: Any]])?.compactMap { $0["env"] as? String } == ["alpha-dev"])
            #expect(stats["totalRequests"] as? Int == 3)
            let series = try await app.call(
                .get,
                "/api/timeseries?bucket=1h&since=2000-01-01T00:00:00Z&until=2100-01-01T00:00:00Z",
                token: c.amy.token
            )
            #expect(series.status == .ok || series.status == .badRequest)
            #expect(try await app.call(.get, "/api/requests", token: c.root).items.count == 6)

            // Clearing: a member may not; an admin clears only her team's records, and the team's
            // subscribers (and those who see everything) are told to re-read; the other team's are not.
            #expect(try await app.call(.delete, "/api/requests", token: c.amy.token).status == .forbidden)
            let events = app.components.events
            let watching = [
                events.subscribe(filter: .init(environments: ["alpha-dev"]), lastEventID: nil),
                events.subscribe(filter: .init(environments: ["beta-prod"]), lastEventID: nil),
                events.subscribe(filter: .init(), lastEventID: nil),
            ]
            let cleared = try await app.call(.delete, "/api/requests", token: c.alice.token)
            #expect(cleared.status == .ok && cleared.object["cleared"] as? Int == 3)
            events.cleared()  // a marker after which nothing more is read
            var told: [[LiveEvent.Kind]] = []
            for stream in watching {
                var kinds: [LiveEvent.Kind] = []
                for await item in stream {
                    guard case .event(let event) = item else { continue }
                    if event.kind == .cleared { break }
                    if event.kind != .completed && event.kind != .started { kinds.append(event.kind) }
                }
                told.append(kinds)
            }
            #expect(told == [[.resync], [], [.resync]])
            #expect(try await app.call(.get, "/api/requests", token: c.root).items.count == 3)
            #expect(try await app.call(.get, "/api/requests", token: c.bob.token).items.count == 3)
        }
    }

    @Test(arguments: adminKinds) func anEnvironmentsUpstreamAllowListLimitsItsTraffic(kind: StoreConformanceTests.Kind) async throws {
        try await SharedTestApp.with(kind) { app in
            let c = try await Self.cast(app)
            let bad = try await app.call(
                .post,
                "/admin/environments",
                token: c.alice.token,
                body: ["envId": "narrow", "teamId": c.alpha, "allowUpstreams": ["10.0.0.0/33"]]
            )
            #expect(bad.status == .badRequest && bad.errorMessage?.contains("allowUpstreams: '10.0.0.0/33'") == true)
            let created = try await app.call(
                .post,
                "/admin/environments",
                token: c.alice.token,
                body: ["envId": "narrow", "teamId": c.alpha, "allowUpstreams": ["127.0.0.1:9"]]
            )
            #expect(created.status == .created)
            #expect(created.object["allowUpstreams"] as? [String] == ["127.0.0.1:9"])
            // Port 9 is named (and refuses: 502 from the proxy); port 10 is not (403, never connected to).
            #expect(try await app.call(.post, "/proxy/narrow/http/127.0.0.1:9/v1", body: [:]).status == .badGateway)
            let refused = try await app.call(.post, "/proxy/narrow/http/127.0.0.1:10/v1", body: [:])
            #expect(refused.status == .forbidden && refused.errorType == "upstream_not_allowed")
            #expect(refused.errorMessage?.contains("this environment's upstream allow list (127.0.0.1:9)") == true)
            // Clearing the list opens the environment to what the server allows.
            let envID = try #require(created.string("id"))
            let patched = try await app.call(.patch, "/admin/environments/\(envID)", token: c.alice.token, body: ["allowUpstreams": []])
            #expect(patched.object["allowUpstreams"] as? [String] == [])
            #expect(try await app.call(.post, "/proxy/narrow/http/127.0.0.1:10/v1", body: [:]).status == .badGateway)
            let audit = try await app.call(.get, "/admin/audit", token: c.alice.token)
            #expect("\(audit.items)".contains("127.0.0.1:9 →"))
        }
    }

    @Test(arguments: adminKinds) func proxyForwardsOnlyRegisteredEnvironmentsWithTheirKey(kind: StoreConformanceTests.Kind) async throws {
        try await SharedTestApp.with(kind) { app in
            let c = try await Self.cast(app)
            let created = try await app.call(
                .post,
                "/admin/environments",
                token: c.alice.token,
                body: ["envId": "locked", "teamId": c.alpha, "requireKey": true]
            )
            let key = try #require(created.string("ingestKey"))
            let unknown = try await app.call(.post, "/proxy/nowhere/http/127.0.0.1:9/v1/chat/completions", body: [:])
            #expect(unknown.status == .notFound && unknown.errorType == "unknown_environment")
            let keyless = try await app.call(.post, "/proxy/locked/http/127.0.0.1:9/v1/chat/completions", body: [:])
            #expect(keyless.status == .unauthorized && keyless.errorType == "invalid_ingest_key")
            let wrong = try await app.call(.post, "/proxy/locked:nope/http/127.0.0.1:9/v1/chat/completions", body: [:])
            #expect(wrong.errorType == "invalid_ingest_key")
            // The right key (in the path or the header) passes the gate: port 9 refuses, so 502 from the proxy.
            let passed = try await app.call(.post, "/proxy/locked:\(key)/http/127.0.0.1:9/v1/chat/completions", body: [:])
            #expect(passed.status == .badGateway)
            let header = try await app.call(.post, "/proxy/locked/http/127.0.0.1:9/v1", body: [:], headers: [ProxyHandler.keyHeader: key])
            #expect(header.status == .badGateway)
            await app.components.pipeline.flush()
            // Rotating: the old key stops working.
            let envID = try #require(created.string("id"))
            let rotated = try await app.call(.post, "/admin/environments/\(envID)/rotate-key", token: c.alice.token)
            #expect(try #require(rotated.string("ingestKey")) != key)
            #expect(try await app.call(.post, "/proxy/locked:\(key)/http/127.0.0.1:9/v1", body: [:]).errorType == "invalid_ingest_key")
            // A deleted environment stops accepting traffic.
            #expect(try await app.call(.delete, "/admin/environments/\(envID)", token: c.alice.token).status == .noContent)
            #expect(try await app.call(.post, "/proxy/locked/http/127.0.0.1:9/v1", body: [:]).errorType == "unknown_environment")
            // Nothing recorded holds the key.
            let page = try await app.components.store.list(filter: RequestFilter(), page: PageRequest(limit: 100))
            for summary in page.items {
                let record = try #require(try await app.components.store.record(id: summary.id))
                #expect(!"\(record)".contains(key))
            }
        }
    }
}
