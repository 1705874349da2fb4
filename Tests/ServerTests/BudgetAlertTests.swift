import Foundation
import Hummingbird
import Logging
import Testing

@testable import LLMTraceModel
@testable import Server

/// Budget alerts in shared mode: `/admin/alerts` by role, a rule over its limit firing once per window
/// (event to its team's subscribers only, webhook POSTed with retries), on PostgreSQL and MySQL.
@Suite(.enabled(if: !adminKinds.isEmpty, "neither LLMTRACE_TEST_POSTGRES_URL nor LLMTRACE_TEST_MYSQL_URL is set: budget alert tests skipped"))
struct BudgetAlertTests {
    /// `n` completed records of `env` costing `cost` each, started now.
    static func spend(_ n: Int, env: String, cost: Double, from start: Int) -> [TraceRecord] {
        (0..<n).map { i in
            var r = StoreTests.record(start + i, env: env)
            r.summary.startedAt = Date()
            r.summary.estimatedCost = cost
            return r
        }
    }

    /// The `alert` events each of `streams` received so far: read up to a `cleared` marker published after them.
    static func alerts(_ hub: EventHub, _ streams: [AsyncStream<EventHub.Item>]) async throws -> [[BudgetAlert]] {
        hub.cleared()
        var all: [[BudgetAlert]] = []
        for stream in streams {
            var alerts: [BudgetAlert] = []
            for await item in stream {
                guard case .event(let event) = item else { continue }
                if event.kind == .cleared { break }
                if case .alert(let alert) = try event.payload() { alerts.append(alert) }
            }
            all.append(alerts)
        }
        return all
    }

    @Test(arguments: adminKinds) func aRuleOverItsLimitFiresOncePerWindowForItsTeamOnly(kind: StoreConformanceTests.Kind) async throws {
        try await WebhookReceiver.with { hook in
            try await SharedTestApp.with(kind) { app in
                let c = try await SharedModeAPITests.cast(app)
                let alphaEnv = try await app.call(
                    .post,
                    "/admin/environments",
                    token: c.alice.token,
                    body: ["envId": "alpha-prod", "teamId": c.alpha]
                )
                #expect(alphaEnv.status == .created, "\(alphaEnv.object)")
                let betaEnv = try await app.call(.post, "/admin/environments", token: c.bob.token, body: ["envId": "beta-prod", "teamId": c.beta])
                let betaEnvID = try #require(betaEnv.string("id"))

                // Who may make rules: the team's admins and owners; others are refused, other teams' 404.
                let teamRule: [String: Any] = ["scope": "team", "scopeId": c.alpha, "window": "day", "limitUsd": 0.05, "webhookUrl": hook.url]
                #expect(try await app.call(.post, "/admin/alerts", token: c.amy.token, body: teamRule).status == .forbidden)
                #expect(try await app.call(.post, "/admin/alerts", token: c.bob.token, body: teamRule).status == .notFound)
                var bad = teamRule
                bad["limitUsd"] = -1
                #expect(try await app.call(.post, "/admin/alerts", token: c.alice.token, body: bad).errorType == "invalid_request")
                bad = teamRule
                bad["webhookUrl"] = "ftp://example.com/x"
                #expect(try await app.call(.post, "/admin/alerts", token: c.alice.token, body: bad).errorType == "invalid_request")
                bad = teamRule
                bad["window"] = "week"
                #expect(try await app.call(.post, "/admin/alerts", token: c.alice.token, body: bad).errorType == "invalid_request")

                let made = try await app.call(.post, "/admin/alerts", token: c.alice.token, body: teamRule)
                #expect(made.status == .created, "\(made.object)")
                let ruleID = try #require(made.string("id"))
                #expect(made.object["teamId"] as? String == c.alpha)
                #expect(made.object["spentUsd"] as? Double == 0)
                let envRule: [String: Any] = ["scope": "environment", "scopeId": betaEnvID, "window": "month", "limitUsd": 1, "webhookUrl": hook.url]
                #expect(try await app.call(.post, "/admin/alerts", token: c.alice.token, body: envRule).status == .notFound)
                let betaRule = try await app.call(.post, "/admin/alerts", token: c.bob.token, body: envRule)
                #expect(betaRule.status == .created, "\(betaRule.object)")

                // Each team lists its own rules.
                #expect(try await app.call(.get, "/admin/alerts", token: c.amy.token).items.map { $0["id"] as? String } == [ruleID])
                #expect(try await app.call(.get, "/admin/alerts", token: c.bob.token).items.count == 1)
                #expect(try await app.call(.get, "/admin/alerts", token: c.root).items.count == 2)
                #expect(try await app.call(.get, "/admin/alerts/\(ruleID)", token: c.bob.token).status == .notFound)

                let watch = try #require(app.components.budgets)
                let events = app.components.events
                let streams = [
                    events.subscribe(filter: .init(environments: ["alpha-prod"]), lastEventID: nil),
                    events.subscribe(filter: .init(environments: ["beta-prod"]), lastEventID: nil),
                ]

                // A second node on the same databases, with subscribers of its own.
                let otherHub = EventHub(firstEventID: 1, logger: Logger(label: "node-b")) { nil }
                let otherNode = BudgetWatch(
                    admin: app.components.admin?.store ?? watch.admin,
                    store: app.components.store,
                    events: otherHub,
                    webhooks: watch.webhooks,
                    interval: .seconds(30),
                    logger: Logger(label: "node-b")
                )
                let otherStreams = [otherHub.subscribe(filter: .init(environments: ["alpha-prod"]), lastEventID: nil)]
                await otherNode.check()

                // Under the limit: nothing.
                try await app.components.store.save(Self.spend(2, env: "alpha-prod", cost: 0.02, from: 0))
                await watch.check()
                #expect(try await Self.alerts(events, streams) == [[], []])

                // Over it: one alert to alpha's subscribers, none to beta's, and the webhook.
                try await app.components.store.save(Self.spend(2, env: "alpha-prod", cost: 0.02, from: 10))
                try await app.components.store.save(Self.spend(1, env: "beta-prod", cost: 0.5, from: 20))
                await watch.check()
                let heard = try await Self.alerts(events, streams)
                let fired = heard[0]
                #expect(fired.count == 1)
                #expect(fired.first?.rule.id == ruleID)
                #expect(fired.first?.message == "team alpha spent $0.08 today, over its $0.05 daily budget")
                #expect(heard[1].isEmpty)
                // The other node's subscribers hear of it at its next check; the webhook is not sent twice.
                await otherNode.check()
                #expect(try await Self.alerts(otherHub, otherStreams).map { $0.map(\.rule.id) } == [[ruleID]])
                try await waitUntil("the webhook's POST") { hook.received.count == 1 }
                let posted = try JSONCoding.makeDecoder().decode(BudgetAlert.self, from: hook.received[0])
                #expect(posted.rule.id == ruleID && posted.teamId == c.alpha && abs(posted.spentUsd - 0.08) < 1e-9)

                // More spend in the same window fires no more.
                try await app.components.store.save(Self.spend(5, env: "alpha-prod", cost: 0.02, from: 30))
                await watch.check()
                #expect(try await Self.alerts(events, streams) == [[], []])

                // Beta's environment rule fires for beta only; the webhook, failing once with 503, is tried again.
                hook.answer([.serviceUnavailable])
                try await app.components.store.save(Self.spend(1, env: "beta-prod", cost: 0.75, from: 40))
                await watch.check()
                let betaHeard = try await Self.alerts(events, streams)
                #expect(betaHeard[0].isEmpty)
                #expect(betaHeard[1].map(\.envId) == ["beta-prod"])
                try await waitUntil("beta's webhook, after one retry", timeout: .seconds(20)) { hook.received.count == 3 }
                let teams = try hook.received.map { try JSONCoding.makeDecoder().decode(BudgetAlert.self, from: $0).teamId }
                #expect(teams == [c.alpha, c.beta, c.beta])

                // The list shows the window's spend and when the rule fired.
                let listed = try #require(try await app.call(.get, "/admin/alerts", token: c.alice.token).items.first)
                #expect(abs((listed["spentUsd"] as? Double ?? 0) - 0.18) < 1e-9)
                #expect(listed["firedAt"] is String)

                // Deleting: not by a member, not by another team; by an admin, audited.
                #expect(try await app.call(.delete, "/admin/alerts/\(ruleID)", token: c.amy.token).status == .forbidden)
                #expect(try await app.call(.delete, "/admin/alerts/\(ruleID)", token: c.bob.token).status == .notFound)
                #expect(try await app.call(.delete, "/admin/alerts/\(ruleID)", token: c.alice.token).status == .noContent)
                #expect(try await app.call(.get, "/admin/alerts", token: c.alice.token).items.isEmpty)
                let actions = try await app.call(.get, "/admin/audit", token: c.alice.token).items.compactMap { $0["action"] as? String }
                #expect(actions.contains("alert.create") && actions.contains("alert.delete"))
            }
        }
    }

    @Test func windowsAreUTCDaysAndMonths() {
        let moment = Date(timeIntervalSince1970: 1_796_184_205)  // 2026-12-02T04:03:25Z
        #expect(BudgetWindow(.day, containing: moment).start == Date(timeIntervalSince1970: 1_796_169_600))
        #expect(BudgetWindow(.month, containing: moment).start == Date(timeIntervalSince1970: 1_796_083_200))
        #expect(BudgetWindow(.month, containing: moment).end == Date(timeIntervalSince1970: 1_798_761_600))
    }

    @Test func webhookURLsInLogsKeepNoSecret() {
        #expect(WebhookSender.redacted("https://user:pw@hooks.example.com/T0/B1?token=abc") == "https://hooks.example.com/T0/B1?…")
    }

    /// Waits until `condition` holds (an upper bound for hangs, not a timing assertion).
    func waitUntil(_ what: String, timeout: Duration = .seconds(10), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("\(what): not within \(timeout)")
    }
}
