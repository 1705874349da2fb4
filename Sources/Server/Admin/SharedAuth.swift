import Foundation
import Logging

/// Shared mode's accounts at run time: the admin store, password hashing, access tokens, the login
/// throttle, and what each caller may see.
struct SharedAuth: Sendable {
    let store: any AdminStore
    let tokens: AccessTokens
    let hasher: PasswordHasher
    let throttle: LoginThrottle
    /// How long a refresh token lives unused.
    var refreshLifetime: TimeInterval = 30 * 24 * 3600
    /// How long an invite can be accepted.
    var inviteLifetime: TimeInterval = 7 * 24 * 3600

    /// The name of the setting holding the generated JWT secret.
    static let jwtSecretSetting = "jwt_secret"

    /// Opens the run-time auth over `store`: the given secret, else the one kept in the admin database
    /// (generated and stored by the first node to start).
    static func open(
        store: any AdminStore,
        secret: String?,
        bcryptCost: UInt8 = 12,
        accessTokenLifetime: TimeInterval = 15 * 60
    ) async throws -> SharedAuth {
        var key = secret ?? ""
        if secret == nil { key = try await store.setting(jwtSecretSetting) { SecretToken.generate(bytes: 48) } }
        return SharedAuth(
            store: store,
            tokens: try await AccessTokens(secret: key, lifetime: accessTokenLifetime),
            hasher: PasswordHasher(cost: bcryptCost),
            throttle: LoginThrottle()
        )
    }

    /// The identity of a valid access token whose account is live; `nil` otherwise.
    func identity(accessToken: String) async throws -> AdminIdentity? {
        guard let userID = await tokens.userID(accessToken) else { return nil }
        return try await identity(userID: userID)
    }

    /// The identity of the live account `userID`, with its teams' roles.
    func identity(userID: String) async throws -> AdminIdentity? {
        guard let user = try await store.user(id: userID), user.deletedAt == nil else { return nil }
        var roles: [String: TeamRole] = [:]
        for (team, role) in try await store.memberships(userID: userID) { roles[team.id] = role }
        return AdminIdentity(user: user, roles: roles)
    }

    /// The environments whose records `identity` may read: `nil` for all (system administrators), else
    /// those of its teams, deleted environments included (their records stay).
    func readableEnvironments(_ identity: AdminIdentity) async throws -> Set<String>? {
        if identity.isSystemAdmin { return nil }
        return Set(try await store.environments(teamIDs: Array(identity.roles.keys), includeDeleted: true).map(\.envId))
    }

    /// The environments whose records `identity` may clear: those of teams it administers; `nil` for all.
    func clearableEnvironments(_ identity: AdminIdentity) async throws -> Set<String>? {
        if identity.isSystemAdmin { return nil }
        let teams = identity.roles.filter { $0.value >= .admin }.map(\.key)
        return Set(try await store.environments(teamIDs: teams, includeDeleted: true).map(\.envId))
    }
}
