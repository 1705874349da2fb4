import Foundation
import Hummingbird
import LLMTraceModel

/// A budget rule as the admin API lists it: the ``BudgetRule`` `{id, scope, scopeId, window, limitUsd,
/// webhookUrl}`, the team it belongs to, when it was made, and the state of its current window.
public struct AdminAlertRule: Codable, Sendable, Equatable, ResponseEncodable {
    public var rule: BudgetRule
    public var teamId: String
    public var createdAt: Date
    /// The spend in the current window (set when listing).
    public var spentUsd: Double?
    /// When the rule fired in the current window, if it did.
    public var firedAt: Date?

    public init(rule: BudgetRule, teamId: String, createdAt: Date, spentUsd: Double? = nil, firedAt: Date? = nil) {
        self.rule = rule
        self.teamId = teamId
        self.createdAt = createdAt
        self.spentUsd = spentUsd
        self.firedAt = firedAt
    }

    enum CodingKeys: String, CodingKey { case teamId, createdAt, spentUsd, firedAt }

    public init(from decoder: any Decoder) throws {
        rule = try BudgetRule(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        teamId = try c.decode(String.self, forKey: .teamId)
        createdAt = try c.decode(Date.self, forKey: .createdAt)
        spentUsd = try c.decodeIfPresent(Double.self, forKey: .spentUsd)
        firedAt = try c.decodeIfPresent(Date.self, forKey: .firedAt)
    }

    public func encode(to encoder: any Encoder) throws {
        try rule.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(teamId, forKey: .teamId)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(spentUsd, forKey: .spentUsd)
        try c.encode(firedAt, forKey: .firedAt)
    }
}

/// A rule that fired in one window: kept so that it fires once per window, whichever node saw it first.
public struct AlertFiring: Sendable, Equatable, Hashable {
    public var ruleID: String
    public var windowStart: Date
    public var spentUsd: Double
    public var firedAt: Date

    public init(ruleID: String, windowStart: Date, spentUsd: Double, firedAt: Date) {
        self.ruleID = ruleID
        self.windowStart = windowStart
        self.spentUsd = spentUsd
        self.firedAt = firedAt
    }
}
