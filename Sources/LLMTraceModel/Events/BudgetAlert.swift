import Foundation

/// A budget rule of shared mode (`/admin/alerts`): a cost limit for a team or one environment, per day
/// or per calendar month (UTC).
public struct BudgetRule: Codable, Sendable, Equatable {
    /// What the limit covers: every environment of a team, or one environment.
    public enum Scope: String, Codable, Sendable, CaseIterable {
        case team
        case environment
    }

    /// The window the spend is summed over, in UTC: the current day or the current calendar month.
    public enum Window: String, Codable, Sendable, CaseIterable {
        case day
        case month
    }

    public var id: String
    public var scope: Scope
    /// The team's id, or the environment's admin id (not its `envId`).
    public var scopeId: String
    public var window: Window
    public var limitUsd: Double
    /// Where the alert is POSTed as JSON (the ``BudgetAlert``), with retries; `nil` for none.
    public var webhookUrl: String?

    public init(id: String, scope: Scope, scopeId: String, window: Window, limitUsd: Double, webhookUrl: String? = nil) {
        self.id = id
        self.scope = scope
        self.scopeId = scopeId
        self.window = window
        self.limitUsd = limitUsd
        self.webhookUrl = webhookUrl
    }
}

/// A budget crossed: the data of the live stream's `alert` event and the body POSTed to a rule's webhook.
/// It fires once per rule and window, when the window's spend first exceeds the limit.
public struct BudgetAlert: Codable, Sendable, Equatable {
    public var rule: BudgetRule
    /// The team the rule belongs to (for an environment rule, the environment's team).
    public var teamId: String
    /// The environment's `envId` for an environment rule.
    public var envId: String?
    /// The spend in the window when the alert fired, in US dollars.
    public var spentUsd: Double
    /// The start of the window (UTC midnight, or the first of the month).
    public var windowStart: Date
    /// When the limit was found crossed.
    public var at: Date
    /// One line for a person: "team alpha spent $12.40 today, over its $10.00 daily budget".
    public var message: String

    public init(rule: BudgetRule, teamId: String, envId: String?, spentUsd: Double, windowStart: Date, at: Date, message: String) {
        self.rule = rule
        self.teamId = teamId
        self.envId = envId
        self.spentUsd = spentUsd
        self.windowStart = windowStart
        self.at = at
        self.message = message
    }
}
