import Foundation

/// Accounts, teams, memberships, environments, refresh tokens, invites, the audit log and settings of
/// shared mode. One implementation, ``SQLAdminStore``, on PostgreSQL or MySQL.
///
/// Deletes are soft: a tombstone keeps its row with `deletedAt`, lists leave tombstones out unless
/// asked, and natural keys (team slug, user email, envId) are unique among live rows only, so a
/// restore fails with ``AdminStoreError/Kind/conflict`` while the key is taken again.
/// Every secret is stored hashed: passwords (bcrypt), refresh tokens, invite tokens and ingest keys (SHA-256).
public protocol AdminStore: Sendable {
    var description: String { get }

    // MARK: Accounts
    /// Whether any live account is a system administrator.
    func hasSystemAdmin() async throws -> Bool
    /// A new account; `conflict` when a live account has the email.
    func createUser(email: String, name: String?, passwordHash: String, systemAdmin: Bool) async throws -> AdminUser
    /// The account with `id`, live or deleted.
    func user(id: String) async throws -> AdminUser?
    /// The live account with `email`, if any.
    func user(email: String) async throws -> AdminUser?
    /// The live account with `email` and its password hash, for the login check.
    func credentials(email: String) async throws -> (user: AdminUser, passwordHash: String)?
    func users(includeDeleted: Bool) async throws -> [AdminUser]
    func setPasswordHash(userID: String, _ hash: String) async throws
    func setSystemAdmin(userID: String, _ value: Bool) async throws

    // MARK: Teams and members
    /// A new team with `ownerID` as its owner; `conflict` when a live team has the slug.
    func createTeam(slug: String, name: String, ownerID: String?) async throws -> AdminTeam
    func team(id: String) async throws -> AdminTeam?
    /// Teams, every one (`memberID` nil) or those `memberID` is a live member of.
    func teams(memberID: String?, includeDeleted: Bool) async throws -> [AdminTeam]
    func updateTeam(id: String, slug: String?, name: String?) async throws -> AdminTeam
    func deleteTeam(id: String) async throws
    func restoreTeam(id: String) async throws -> AdminTeam
    /// The live teams `userID` is a live member of, with the role.
    func memberships(userID: String) async throws -> [(team: AdminTeam, role: TeamRole)]
    func members(teamID: String, includeDeleted: Bool) async throws -> [AdminMember]
    /// The membership of `userID` in `teamID`, live or deleted.
    func member(teamID: String, userID: String) async throws -> AdminMember?
    /// Adds `userID` (or revives a tombstoned membership with `role`); `conflict` when already a live member.
    func addMember(teamID: String, userID: String, role: TeamRole) async throws -> AdminMember
    func setRole(teamID: String, userID: String, role: TeamRole) async throws -> AdminMember
    func removeMember(teamID: String, userID: String) async throws
    func restoreMember(teamID: String, userID: String) async throws -> AdminMember

    // MARK: Environments
    /// A new environment; `conflict` when a live environment has the envId.
    func createEnvironment(
        envId: String,
        teamID: String,
        name: String?,
        requireKey: Bool,
        keyHash: String?,
        allowUpstreams: [UpstreamPattern]
    ) async throws -> AdminEnvironment
    func environment(id: String) async throws -> AdminEnvironment?
    /// The live environment with `envId` (what the proxy checks), if any.
    func environment(envId: String) async throws -> AdminEnvironment?
    /// Environments of `teamIDs` (nil: of every team).
    func environments(teamIDs: [String]?, includeDeleted: Bool) async throws -> [AdminEnvironment]
    /// Changes what is given (`nil` leaves a field as it is).
    func updateEnvironment(
        id: String,
        name: String?,
        requireKey: Bool?,
        keyHash: String??,
        allowUpstreams: [UpstreamPattern]?
    ) async throws
        -> AdminEnvironment
    func deleteEnvironment(id: String) async throws
    func restoreEnvironment(id: String) async throws -> AdminEnvironment

    // MARK: Sessions
    /// Stores a refresh token's hash for `userID`'s session `sessionID`.
    func storeRefreshToken(hash: String, sessionID: String, userID: String, expiresAt: Date) async throws
    /// Spends the token `hash` and stores `replacementHash` in its place, in one transaction; a token
    /// spent before revokes its whole session.
    func rotateRefreshToken(hash: String, replacementHash: String, expiresAt: Date, now: Date) async throws -> RefreshOutcome
    /// Revokes the session of the token `hash` (logout).
    func revokeSession(ofToken hash: String) async throws
    /// Revokes every session of `userID` (password reset).
    func revokeSessions(userID: String) async throws

    // MARK: Invites
    func createInvite(_ invite: AdminInvite) async throws
    /// Accepts the live, unexpired invite `hash` once: creates the account and its membership in one
    /// transaction. `notFound` when the invite is unknown, spent or expired; `conflict` when the email
    /// has an account by now.
    func acceptInvite(hash: String, passwordHash: String, name: String?, now: Date) async throws -> (AdminUser, AdminInvite)

    // MARK: Budget alerts
    func createAlertRule(_ rule: AdminAlertRule) async throws
    func alertRule(id: String) async throws -> AdminAlertRule?
    /// Rules of `teamIDs` (nil: of every team), oldest first.
    func alertRules(teamIDs: [String]?) async throws -> [AdminAlertRule]
    func deleteAlertRule(id: String) async throws
    /// Records that a rule fired in a window; `false` when that window's firing was recorded before (by
    /// this node or another), so each rule fires once per window.
    func recordAlertFiring(_ firing: AlertFiring) async throws -> Bool
    /// Firings of windows that started at or after `since`.
    func alertFirings(since: Date) async throws -> [AlertFiring]

    // MARK: Audit and settings
    func appendAudit(_ entry: AuditEntry) async throws
    /// Newest first; only entries of `teamIDs` when given.
    func audit(teamIDs: [String]?, limit: Int) async throws -> [AuditEntry]
    /// The setting `name`, storing `make()` first when there is none (the first node to start wins).
    func setting(_ name: String, orInsert make: @Sendable () -> String) async throws -> String

    func close() async throws
}
