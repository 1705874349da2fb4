import Foundation
import Hummingbird
import LLMTraceModel

extension AdminController {
    /// Budget alert rules: members of a team list its rules, with the current window's spend; its
    /// admins and owners make and delete them.
    func addAlertRoutes(_ g: RouterGroup<AppRequestContext>) {
        g.get("alerts") { request, context in
            try await handled {
                let rules = try await store.alertRules(teamIDs: try listedTeams(request, context))
                return AdminBodies.List(items: try await budgets?.current(rules) ?? rules)
            }
        }
        g.post("alerts") { request, context in try await handled { try await createAlert(request, context) } }
        g.get("alerts/:id") { _, context in
            try await handled {
                let rule = try await alertAccess(context.parameters.get("id") ?? "", context)
                return try await budgets?.current([rule]).first ?? rule
            }
        }
        g.delete("alerts/:id") { _, context in
            try await handled {
                let rule = try await alertAccess(context.parameters.get("id") ?? "", context, needs: .admin)
                try await store.deleteAlertRule(id: rule.rule.id)
                await audit(context, "alert.delete", "alert", rule.rule.id, team: rule.teamId, details: Self.auditDetails(rule.rule))
                return Response(status: .noContent)
            }
        }
    }

    /// The rule `id`, when the caller has `needs` in its team; 404 otherwise (ids do not leak).
    private func alertAccess(_ id: String, _ context: AppRequestContext, needs: TeamRole = .member) async throws -> AdminAlertRule {
        let notFound = APIError.notFound("no alert rule with id '\(id.prefix(64))'")
        guard let rule = try await store.alertRule(id: id) else { throw notFound }
        do {
            _ = try await teamAccess(rule.teamId, context, needs: needs, includeDeleted: true)
        } catch let e as APIError where e.status == .notFound {
            throw notFound
        }
        return rule
    }

    private func createAlert(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let new = try await body(request, context, as: AdminBodies.NewAlert.self)
        guard new.limitUsd.isFinite, new.limitUsd > 0 else { throw Self.invalid("limitUsd must be a positive number of US dollars") }
        if let url = new.webhookUrl, let problem = Self.webhookProblem(url) { throw Self.invalid(problem) }
        let teamID: String
        switch new.scope {
        case .team:
            teamID = try await teamAccess(new.scopeId, context, needs: .admin).team.id
        case .environment:
            teamID = try await environmentAccess(new.scopeId, context, needs: .admin).environment.teamId
        }
        let rule = AdminAlertRule(
            rule: BudgetRule(
                id: UUID().uuidString.lowercased(),
                scope: new.scope,
                scopeId: new.scopeId,
                window: new.window,
                limitUsd: new.limitUsd,
                webhookUrl: new.webhookUrl
            ),
            teamId: teamID,
            createdAt: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        )
        try await store.createAlertRule(rule)
        await audit(context, "alert.create", "alert", rule.rule.id, team: teamID, details: Self.auditDetails(rule.rule))
        return try created(try await budgets?.current([rule]).first ?? rule, request, context)
    }

    /// `nil` when `url` can take webhooks (an absolute http or https URL with a host), else why not.
    static func webhookProblem(_ url: String) -> String? {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = parts.host, !host.isEmpty
        else { return "webhookUrl '\(url.prefix(200))' is not an http or https URL" }
        return nil
    }

    /// What the audit log keeps of a rule (the webhook's host only: its path or query may hold a secret).
    static func auditDetails(_ rule: BudgetRule) -> [String: String] {
        var details = [
            "scope": rule.scope.rawValue, "scopeId": rule.scopeId, "window": rule.window.rawValue,
            "limitUsd": String(format: "%.2f", rule.limitUsd),
        ]
        if let url = rule.webhookUrl { details["webhookHost"] = URLComponents(string: url)?.host ?? "" }
        return details
    }
}
