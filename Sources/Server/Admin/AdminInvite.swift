import Foundation

/// An invitation to join a team, for an email without an account. Only the SHA-256 of its token is
/// stored; the token itself is shown once, to the admin who invited.
public struct AdminInvite: Sendable, Equatable {
    public var tokenHash: String
    public var teamId: String
    public var email: String
    public var role: TeamRole
    public var invitedBy: String
    public var createdAt: Date
    public var expiresAt: Date
    public var acceptedAt: Date?

    public init(
        tokenHash: String,
        teamId: String,
        email: String,
        role: TeamRole,
        invitedBy: String,
        createdAt: Date,
        expiresAt: Date,
        acceptedAt: Date? = nil
    ) {
        self.tokenHash = tokenHash
        self.teamId = teamId
        self.email = email
        self.role = role
        self.invitedBy = invitedBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.acceptedAt = acceptedAt
    }
}
