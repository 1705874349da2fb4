import Foundation
import Hummingbird
import LLMTraceModel

/// Request and answer bodies of the admin API (docs/API.md, "Admin API").
enum AdminBodies {
    struct Login: Decodable, Sendable {
        var email: String
        var password: String
    }

    struct RefreshToken: Decodable, Sendable {
        var refreshToken: String
    }

    /// `{accessToken, refreshToken, expiresIn, user}`.
    struct LoginAnswer: Encodable, ResponseEncodable, Sendable {
        var accessToken: String
        var refreshToken: String
        var expiresIn: Int
        var user: AdminUser
    }

    struct TeamRef: Encodable, Sendable {
        var id: String
        var slug: String
        var name: String
        var role: TeamRole
    }

    /// `{user, teams:[{id,slug,name,role}]}`.
    struct Me: Encodable, ResponseEncodable, Sendable {
        var user: AdminUser
        var teams: [TeamRef]
    }

    struct NewTeam: Decodable, Sendable {
        var slug: String
        var name: String?
    }

    struct TeamPatch: Decodable, Sendable {
        var slug: String?
        var name: String?
    }

    struct NewMember: Decodable, Sendable {
        var email: String
        var role: TeamRole?
    }

    struct RolePatch: Decodable, Sendable {
        var role: TeamRole
    }

    struct Invite: Encodable, Sendable {
        var token: String
        var acceptUrl: String
        var expiresAt: Date
    }

    /// `{member}` or `{invite}` (the synthesized encoding leaves the `nil` one out).
    struct AddedMember: Encodable, ResponseEncodable, Sendable {
        var member: AdminMember?
        var invite: Invite?
    }

    struct AcceptInvite: Decodable, Sendable {
        var token: String
        var password: String
        var name: String?
    }

    struct SystemAdminPatch: Decodable, Sendable {
        var systemAdmin: Bool
    }

    struct NewEnvironment: Decodable, Sendable {
        var envId: String
        var teamId: String
        var name: String?
        var requireKey: Bool?
        /// Upstream patterns this environment's traffic is limited to.
        var allowUpstreams: [String]?
    }

    struct NewAlert: Decodable, Sendable {
        var scope: BudgetRule.Scope
        var scopeId: String
        var window: BudgetRule.Window
        var limitUsd: Double
        var webhookUrl: String?
    }

    struct EnvironmentPatch: Decodable, Sendable {
        var name: String?
        var requireKey: Bool?
        /// Replaces the environment's upstream allow list (`[]` removes it).
        var allowUpstreams: [String]?
    }

    /// An environment, with its ingest key when one was just made (shown once).
    struct EnvironmentAnswer: Encodable, ResponseEncodable, Sendable {
        var environment: AdminEnvironment
        var ingestKey: String?

        func encode(to encoder: any Encoder) throws {
            try environment.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            if let ingestKey { try c.encode(ingestKey, forKey: .ingestKey) }
        }

        enum CodingKeys: String, CodingKey { case ingestKey }
    }

    struct IngestKey: Encodable, ResponseEncodable, Sendable {
        var ingestKey: String
    }

    /// A list under `items`.
    struct List<Item: Encodable & Sendable>: Encodable, ResponseEncodable, Sendable {
        var items: [Item]
    }
}
