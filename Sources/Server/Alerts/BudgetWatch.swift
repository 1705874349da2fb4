import Foundation
import LLMTraceModel
import Logging
import ServiceLifecycle
import Synchronization

/// Shared mode's budget alerts: every `interval` it sums each rule's spend in its current window (from the
/// store's statistics, per environment) and, when a rule is over its limit, records the firing in the
/// admin database. The node whose record wins sends the webhook; every node publishes the `alert` event
/// to its own subscribers of the team, once per rule and window.
final class BudgetWatch: Service {
    let admin: any AdminStore
    let store: any TraceStore
    let events: EventHub
    let webhooks: WebhookSender
    let interval: Duration
    let logger: Logger
    private let state = Mutex(State())

    private struct State {
        /// Firings this node published (or found when it started): `ruleID` and window start.
        var published: Set<String> = []
        var seeded = false
        var lastFailureLog: ContinuousClock.Instant?
    }

    init(admin: any AdminStore, store: any TraceStore, events: EventHub, webhooks: WebhookSender, interval: Duration, logger: Logger) {
        self.admin = admin
        self.store = store
        self.events = events
        self.webhooks = webhooks
        self.interval = interval
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.check()
                try? await Task.sleep(for: self.interval)
            }
        }
    }

    /// One round: rules over their limit fire, and firings by other nodes are published here too.
    func check(now: Date = Date()) async {
        do {
            try await seedIfNeeded(now: now)
            let rules = try await admin.alertRules(teamIDs: nil)
            guard !rules.isEmpty else { return }
            let environments = try await admin.environments(teamIDs: nil, includeDeleted: true)
            let teams = Dictionary(uniqueKeysWithValues: try await admin.teams(memberID: nil, includeDeleted: true).map { ($0.id, $0) })
            var spendByWindow: [Date: [String: Double]] = [:]
            for alert in rules {
                let window = BudgetWindow(alert.rule.window, containing: now)
                let spent = try await spend(of: alert, since: window.start, environments: environments, cache: &spendByWindow)
                guard spent > alert.rule.limitUsd else { continue }
                let firing = AlertFiring(ruleID: alert.rule.id, windowStart: window.start, spentUsd: spent, firedAt: now)
                // The node whose record wins sends the webhook.
                guard try await admin.recordAlertFiring(firing) else { continue }
                let budgetAlert = Self.budgetAlert(alert, firing, environments: environments, team: teams[alert.teamId])
                logger.notice("budget alert: \(budgetAlert.message)")
                if let url = alert.rule.webhookUrl { webhooks.send(budgetAlert, to: url) }
            }
            // Every firing of the current windows, this node's and other nodes', reaches this node's
            // subscribers once.
            let byID = Dictionary(uniqueKeysWithValues: rules.map { ($0.rule.id, $0) })
            for firing in try await admin.alertFirings(since: BudgetWindow(.month, containing: now).start) {
                guard let alert = byID[firing.ruleID], BudgetWindow(alert.rule.window, containing: now).start == firing.windowStart,
                    state.withLock({ $0.published.insert(Self.key(firing)).inserted })
                else { continue }
                // Every environment of the team (deleted ones too): its members' subscriptions name those.
                let audience = Set(environments.filter { $0.teamId == alert.teamId }.map(\.envId))
                events.alert(Self.budgetAlert(alert, firing, environments: environments, team: teams[alert.teamId]), environments: audience)
            }
        } catch {
            let log = state.withLock { s -> Bool in
                let now = ContinuousClock.now
                if let last = s.lastFailureLog, now - last < .seconds(60) { return false }
                s.lastFailureLog = now
                return true
            }
            if log { logger.warning("budget alerts could not be checked: \(error)") }
        }
    }

    /// `rules` with the spend of their current window, and when they fired in it.
    func current(_ rules: [AdminAlertRule], now: Date = Date()) async throws -> [AdminAlertRule] {
        guard !rules.isEmpty else { return rules }
        let environments = try await admin.environments(teamIDs: nil, includeDeleted: true)
        let firings = try await admin.alertFirings(since: BudgetWindow(.month, containing: now).start)
        var spendByWindow: [Date: [String: Double]] = [:]
        var out: [AdminAlertRule] = []
        for var alert in rules {
            let window = BudgetWindow(alert.rule.window, containing: now)
            alert.spentUsd = try await spend(of: alert, since: window.start, environments: environments, cache: &spendByWindow)
            alert.firedAt = firings.first { $0.ruleID == alert.rule.id && $0.windowStart == window.start }?.firedAt
            out.append(alert)
        }
        return out
    }

    /// Firings that existed when this node started were announced before: they are not published again.
    private func seedIfNeeded(now: Date) async throws {
        guard !state.withLock({ $0.seeded }) else { return }
        let existing = try await admin.alertFirings(since: BudgetWindow(.month, containing: now).start)
        state.withLock { s in
            s.published.formUnion(existing.map(Self.key))
            s.seeded = true
        }
    }

    /// The alert of `firing`: the `alert` event's data and the webhook's body.
    static func budgetAlert(_ alert: AdminAlertRule, _ firing: AlertFiring, environments: [AdminEnvironment], team: AdminTeam?) -> BudgetAlert {
        let environment = alert.rule.scope == .environment ? Self.environments(of: alert, in: environments).first : nil
        return BudgetAlert(
            rule: alert.rule,
            teamId: alert.teamId,
            envId: environment?.envId,
            spentUsd: firing.spentUsd,
            windowStart: firing.windowStart,
            at: firing.firedAt,
            message: Self.message(alert, spent: firing.spentUsd, team: team, environment: environment)
        )
    }

    private static func key(_ firing: AlertFiring) -> String { "\(firing.ruleID)@\(firing.windowStart.timeIntervalSince1970)" }

    /// The environments a rule covers: its team's (deleted ones too, whose records still count), or one.
    static func environments(of alert: AdminAlertRule, in all: [AdminEnvironment]) -> [AdminEnvironment] {
        switch alert.rule.scope {
        case .team: return all.filter { $0.teamId == alert.teamId }
        case .environment: return all.filter { $0.id == alert.rule.scopeId }
        }
    }

    /// What `alert`'s environments spent since `start`. The cost per environment comes from one read of the
    /// store's statistics per window start (the rollups, where the store has them), kept in `cache`.
    private func spend(
        of alert: AdminAlertRule,
        since start: Date,
        environments: [AdminEnvironment],
        cache: inout [Date: [String: Double]]
    ) async throws -> Double {
        if cache[start] == nil {
            var filter = RequestFilter()
            filter.since = start
            var perEnvironment: [String: Double] = [:]
            for row in try await store.stats(filter: filter).envBreakdown {
                if let env = row.env { perEnvironment[env, default: 0] += row.estimatedCost }
            }
            cache[start] = perEnvironment
        }
        let perEnvironment = cache[start] ?? [:]
        return Self.environments(of: alert, in: environments).reduce(0) { $0 + (perEnvironment[$1.envId] ?? 0) }
    }

    /// "team alpha spent $12.40 today, over its $10.00 daily budget".
    static func message(_ alert: AdminAlertRule, spent: Double, team: AdminTeam?, environment: AdminEnvironment?) -> String {
        let who: String
        switch alert.rule.scope {
        case .team: who = "team \(team?.slug ?? alert.teamId)"
        case .environment: who = "environment \(environment?.envId ?? alert.rule.scopeId)"
        }
        let period = alert.rule.window == .day ? "daily" : "monthly"
        return
            "\(who) spent \(Self.dollars(spent)) \(BudgetWindow.phrase(alert.rule.window)), over its \(Self.dollars(alert.rule.limitUsd)) \(period) budget"
    }

    static func dollars(_ value: Double) -> String { String(format: "$%.2f", value) }
}
