import Foundation
import Hummingbird

/// A user's membership of a team: `{user, role, createdAt, deletedAt}`.
public struct AdminMember: Codable, Sendable, Equatable, ResponseEncodable {
    public var teamId: String
    public var user: AdminUser
    public var role: TeamRole
    public var createdAt: Date
    public var deletedAt: Date?

    public init(teamId: String, user: AdminUser, role: TeamRole, createdAt: Date, deletedAt: Date?) {
        self.teamId = teamId
        self.user = user
        self.role = role
        self.createdAt = createdAt
        self.deletedAt = deletedAt
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(user, forKey: .user)
        try c.encode(role, forKey: .role)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(deletedAt, forKey: .deletedAt)
    }
}
