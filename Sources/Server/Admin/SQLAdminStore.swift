import Foundation
import LLMTraceModel
import Logging

/// The ``AdminStore`` on a SQL database: PostgreSQL (``PostgresAdminDatabase``) or MySQL / MariaDB
/// (``MySQLAdminDatabase``), the same statements on both. Tables are created and migrated at connect,
/// versioned in `llmtrace_admin_migrations` under the engine's database lock.
public final class SQLAdminStore: AdminStore {
    let db: any AdminSQLDatabase

    init(db: any AdminSQLDatabase) {
        self.db = db
    }

    /// Connects to the admin database `url` names (PostgreSQL: tables in `schema`, else the URL's;
    /// MySQL: in `database`, else the URL's), then creates or migrates its tables.
    public static func connect(
        _ url: DatabaseURL,
        schema: String? = nil,
        database: String? = nil,
        logger: Logger = Logger(label: "llmtrace.admin")
    ) async throws -> SQLAdminStore {
        let db: any AdminSQLDatabase
        switch url.engine {
        case .postgres: db = try await PostgresAdminDatabase.connect(url, schema: schema, logger: logger)
        case .mysql: db = try await MySQLAdminDatabase.connect(url, database: database, logger: logger)
        }
        let store = SQLAdminStore(db: db)
        do {
            try await db.migrate(store.migrations(), versionsTable: T.migrations)
        } catch {
            try? await db.close()
            throw error
        }
        return store
    }

    public var description: String { db.description }

    public func close() async throws { try await db.close() }

    private func t(_ name: String) -> String { db.table(name) }
    private var now: Double { Date().timeIntervalSince1970 }
    private static func newID() -> String { UUID().uuidString.lowercased() }

    // MARK: Rows

    private static let userColumns = "id, email, name, system_admin, created_at, deleted_at"
    private static let userTypes: [ColumnType] = [.key, .key, .text, .bool, .real, .real]
    private static func user(_ r: [ColumnValue], at i: Int = 0) -> AdminUser {
        AdminUser(
            id: r[i].string ?? "",
            email: r[i + 1].string ?? "",
            name: r[i + 2].string,
            systemAdmin: r[i + 3].bool ?? false,
            createdAt: date(r[i + 4]) ?? Date(timeIntervalSince1970: 0),
            deletedAt: date(r[i + 5])
        )
    }

    private static let teamColumns = "id, slug, name, created_at, deleted_at"
    private static let teamTypes: [ColumnType] = [.key, .key, .text, .real, .real]
    private static func team(_ r: [ColumnValue], at i: Int = 0) -> AdminTeam {
        AdminTeam(
            id: r[i].string ?? "",
            slug: r[i + 1].string ?? "",
            name: r[i + 2].string ?? "",
            createdAt: date(r[i + 3]) ?? Date(timeIntervalSince1970: 0),
            deletedAt: date(r[i + 4])
        )
    }

    private static let envColumns = "id, env_id, team_id, name, require_key, key_hash, created_at, deleted_at, allow_upstreams"
    private static let envTypes: [ColumnType] = [.key, .key, .key, .text, .bool, .key, .real, .real, .text]
    private static func environment(_ r: [ColumnValue]) -> AdminEnvironment {
        AdminEnvironment(
            id: r[0].string ?? "",
            envId: r[1].string ?? "",
            teamId: r[2].string ?? "",
            name: r[3].string,
            requireKey: r[4].bool ?? false,
            keyHash: r[5].string,
            // Kept as the patterns joined by commas; each was checked when it was saved.
            allowUpstreams: ConfigResolver.list(r[8].string ?? "").compactMap { try? UpstreamPattern($0) },
            createdAt: date(r[6]) ?? Date(timeIntervalSince1970: 0),
            deletedAt: date(r[7])
        )
    }

    /// An allow list as kept: its patterns joined by commas, `nil` when empty.
    private static func joined(_ patterns: [UpstreamPattern]) -> String? {
        patterns.isEmpty ? nil : patterns.map(\.description).joined(separator: ",")
    }

    private static func date(_ v: ColumnValue) -> Date? { v.double.map { Date(timeIntervalSince1970: $0) } }

    private func one<T: Sendable>(
        _ sql: String,
        _ values: [ColumnValue],
        _ types: [ColumnType],
        _ make: @escaping @Sendable ([ColumnValue]) -> T
    ) async throws -> T? {
        try await db.session { s in try await s.rows(sql, values, types: types).first.map(make) }
    }

    private func all<T: Sendable>(
        _ sql: String,
        _ values: [ColumnValue],
        _ types: [ColumnType],
        _ make: @escaping @Sendable ([ColumnValue]) -> T
    ) async throws -> [T] {
        try await db.session { s in try await s.rows(sql, values, types: types).map(make) }
    }

    private func run(_ sql: String, _ values: [ColumnValue]) async throws {
        try await db.session { s in _ = try await s.execute(sql, values) }
    }

    private static func notFound(_ what: String) -> AdminStoreError { AdminStoreError(.notFound, "no \(what)") }

    /// Runs `body`, failing with `message` when it fails because a natural key (slug, email, envId) is taken.
    @discardableResult
    private static func onConflict<T>(_ message: @autoclosure () -> String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let e as AdminStoreError where e.kind == .conflict {
            throw AdminStoreError(.conflict, message())
        }
    }

    /// `team_id IN (?, …)` and its values.
    private static func inTeams(_ teamIDs: [String]) -> (String, [ColumnValue]) {
        ("team_id IN (" + teamIDs.map { _ in "?" }.joined(separator: ", ") + ")", teamIDs.map { .text($0) })
    }

    // MARK: Accounts

    public func hasSystemAdmin() async throws -> Bool {
        let sql = "SELECT count(*) FROM \(t(T.users)) WHERE \(db.dialect.isTrue("system_admin")) AND deleted_at IS NULL"
        return try await one(sql, [], [.integer]) { $0[0].int ?? 0 }.map { $0 > 0 } ?? false
    }

    public func createUser(email: String, name: String?, passwordHash: String, systemAdmin: Bool) async throws -> AdminUser {
        let user = AdminUser(
            id: Self.newID(),
            email: email.lowercased(),
            name: name,
            systemAdmin: systemAdmin,
            createdAt: Date(timeIntervalSince1970: now.rounded(.down)),
            deletedAt: nil
        )
        try await Self.onConflict("an account with the email \(user.email) exists") {
            try await run(
                "INSERT INTO \(t(T.users)) (id, email, email_live, name, password_hash, system_admin, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    .text(user.id), .text(user.email), .text(user.email), ColumnValue(name), .text(passwordHash), .bool(systemAdmin),
                    .real(user.createdAt.timeIntervalSince1970),
                ]
            )
        }
        return user
    }

    public func user(id: String) async throws -> AdminUser? {
        try await one("SELECT \(Self.userColumns) FROM \(t(T.users)) WHERE id = ?", [.text(id)], Self.userTypes) { Self.user($0) }
    }

    public func user(email: String) async throws -> AdminUser? {
        try await one(
            "SELECT \(Self.userColumns) FROM \(t(T.users)) WHERE email_live = ?",
            [.text(email.lowercased())],
            Self.userTypes
        ) { Self.user($0) }
    }

    public func credentials(email: String) async throws -> (user: AdminUser, passwordHash: String)? {
        let found = try await one(
            "SELECT \(Self.userColumns), password_hash FROM \(t(T.users)) WHERE email_live = ?",
            [.text(email.lowercased())],
            Self.userTypes + [.text]
        ) { r in Credentials(user: Self.user(r), hash: r[6].string ?? "") }
        return found.map { ($0.user, $0.hash) }
    }

    private struct Credentials: Sendable {
        var user: AdminUser
        var hash: String
    }

    public func users(includeDeleted: Bool) async throws -> [AdminUser] {
        let condition = includeDeleted ? "" : " WHERE deleted_at IS NULL"
        return try await all("SELECT \(Self.userColumns) FROM \(t(T.users))\(condition) ORDER BY email, created_at", [], Self.userTypes) {
            Self.user($0)
        }
    }

    public func setPasswordHash(userID: String, _ hash: String) async throws {
        guard try await user(id: userID) != nil else { throw Self.notFound("user \(userID)") }
        try await run("UPDATE \(t(T.users)) SET password_hash = ? WHERE id = ?", [.text(hash), .text(userID)])
    }

    public func setSystemAdmin(userID: String, _ value: Bool) async throws {
        guard try await user(id: userID) != nil else { throw Self.notFound("user \(userID)") }
        try await run("UPDATE \(t(T.users)) SET system_admin = ? WHERE id = ?", [.bool(value), .text(userID)])
    }

    // MARK: Teams

    public func createTeam(slug: String, name: String, ownerID: String?) async throws -> AdminTeam {
        let created = now.rounded(.down)
        let team = AdminTeam(id: Self.newID(), slug: slug, name: name, createdAt: Date(timeIntervalSince1970: created), deletedAt: nil)
        let teams = t(T.teams)
        let members = t(T.members)
        try await Self.onConflict("a team with the slug '\(slug)' exists") {
            try await db.transaction { s in
                try await s.execute(
                    "INSERT INTO \(teams) (id, slug, slug_live, name, created_at) VALUES (?, ?, ?, ?, ?)",
                    [.text(team.id), .text(slug), .text(slug), .text(name), .real(created)]
                )
                if let ownerID {
                    try await s.execute(
                        "INSERT INTO \(members) (team_id, user_id, role, created_at) VALUES (?, ?, ?, ?)",
                        [.text(team.id), .text(ownerID), .text(TeamRole.owner.rawValue), .real(created)]
                    )
                }
            }
        }
        return team
    }

    public func team(id: String) async throws -> AdminTeam? {
        try await one("SELECT \(Self.teamColumns) FROM \(t(T.teams)) WHERE id = ?", [.text(id)], Self.teamTypes) { Self.team($0) }
    }

    public func teams(memberID: String?, includeDeleted: Bool) async throws -> [AdminTeam] {
        var clauses: [String] = []
        var values: [ColumnValue] = []
        if !includeDeleted { clauses.append("deleted_at IS NULL") }
        if let memberID {
            clauses.append("id IN (SELECT team_id FROM \(t(T.members)) WHERE user_id = ? AND deleted_at IS NULL)")
            values.append(.text(memberID))
        }
        let condition = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
        return try await all("SELECT \(Self.teamColumns) FROM \(t(T.teams))\(condition) ORDER BY slug, created_at", values, Self.teamTypes) {
            Self.team($0)
        }
    }

    public func updateTeam(id: String, slug: String?, name: String?) async throws -> AdminTeam {
        guard let current = try await team(id: id) else { throw Self.notFound("team \(id)") }
        let newSlug = slug ?? current.slug
        try await Self.onConflict("a team with the slug '\(newSlug)' exists") {
            try await run(
                "UPDATE \(t(T.teams)) SET slug = ?, slug_live = ?, name = ? WHERE id = ?",
                [.text(newSlug), current.deletedAt == nil ? .text(newSlug) : .null, .text(name ?? current.name), .text(id)]
            )
        }
        return try await team(id: id) ?? current
    }

    public func deleteTeam(id: String) async throws {
        guard try await team(id: id) != nil else { throw Self.notFound("team \(id)") }
        try await run("UPDATE \(t(T.teams)) SET deleted_at = ?, slug_live = NULL WHERE id = ? AND deleted_at IS NULL", [.real(now), .text(id)])
    }

    public func restoreTeam(id: String) async throws -> AdminTeam {
        guard let current = try await team(id: id) else { throw Self.notFound("team \(id)") }
        try await Self.onConflict("another team has the slug '\(current.slug)' now: rename it first") {
            try await run("UPDATE \(t(T.teams)) SET deleted_at = NULL, slug_live = slug WHERE id = ?", [.text(id)])
        }
        return try await team(id: id) ?? current
    }

    // MARK: Members

    private var memberSelect: String {
        "SELECT m.team_id, m.role, m.created_at, m.deleted_at, "
            + Self.userColumns.split(separator: ",").map { "u." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
            + " FROM \(t(T.members)) m JOIN \(t(T.users)) u ON u.id = m.user_id"
    }
    private static let memberTypes: [ColumnType] = [.key, .key, .real, .real] + userTypes
    private static func member(_ r: [ColumnValue]) -> AdminMember {
        AdminMember(
            teamId: r[0].string ?? "",
            user: user(r, at: 4),
            role: TeamRole(rawValue: r[1].string ?? "") ?? .member,
            createdAt: date(r[2]) ?? Date(timeIntervalSince1970: 0),
            deletedAt: date(r[3])
        )
    }

    public func memberships(userID: String) async throws -> [(team: AdminTeam, role: TeamRole)] {
        let sql =
            "SELECT m.role, \(Self.teamColumns.split(separator: ",").map { "t." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")) FROM \(t(T.members)) m JOIN \(t(T.teams)) t ON t.id = m.team_id WHERE m.user_id = ? AND m.deleted_at IS NULL AND t.deleted_at IS NULL ORDER BY t.slug"
        let rows = try await all(sql, [.text(userID)], [.key] + Self.teamTypes) { r in Membership(team: Self.team(r, at: 1), role: r[0].string ?? "")
        }
        return rows.map { ($0.team, TeamRole(rawValue: $0.role) ?? .member) }
    }

    private struct Membership: Sendable {
        var team: AdminTeam
        var role: String
    }

    public func members(teamID: String, includeDeleted: Bool) async throws -> [AdminMember] {
        let condition = includeDeleted ? "" : " AND m.deleted_at IS NULL"
        return try await all("\(memberSelect) WHERE m.team_id = ?\(condition) ORDER BY u.email", [.text(teamID)], Self.memberTypes) {
            Self.member($0)
        }
    }

    public func member(teamID: String, userID: String) async throws -> AdminMember? {
        try await one("\(memberSelect) WHERE m.team_id = ? AND m.user_id = ?", [.text(teamID), .text(userID)], Self.memberTypes) {
            Self.member($0)
        }
    }

    public func addMember(teamID: String, userID: String, role: TeamRole) async throws -> AdminMember {
        if let existing = try await member(teamID: teamID, userID: userID) {
            guard existing.deletedAt != nil else { throw AdminStoreError(.conflict, "\(existing.user.email) is a member of the team already") }
            try await run(
                "UPDATE \(t(T.members)) SET deleted_at = NULL, role = ?, created_at = ? WHERE team_id = ? AND user_id = ?",
                [.text(role.rawValue), .real(now.rounded(.down)), .text(teamID), .text(userID)]
            )
        } else {
            try await run(
                "INSERT INTO \(t(T.members)) (team_id, user_id, role, created_at) VALUES (?, ?, ?, ?)",
                [.text(teamID), .text(userID), .text(role.rawValue), .real(now.rounded(.down))]
            )
        }
        guard let added = try await member(teamID: teamID, userID: userID) else { throw Self.notFound("member \(userID)") }
        return added
    }

    public func setRole(teamID: String, userID: String, role: TeamRole) async throws -> AdminMember {
        guard try await member(teamID: teamID, userID: userID) != nil else { throw Self.notFound("member \(userID) in team \(teamID)") }
        try await run("UPDATE \(t(T.members)) SET role = ? WHERE team_id = ? AND user_id = ?", [.text(role.rawValue), .text(teamID), .text(userID)])
        guard let updated = try await member(teamID: teamID, userID: userID) else { throw Self.notFound("member \(userID)") }
        return updated
    }

    public func removeMember(teamID: String, userID: String) async throws {
        guard try await member(teamID: teamID, userID: userID) != nil else { throw Self.notFound("member \(userID) in team \(teamID)") }
        try await run(
            "UPDATE \(t(T.members)) SET deleted_at = ? WHERE team_id = ? AND user_id = ? AND deleted_at IS NULL",
            [.real(now), .text(teamID), .text(userID)]
        )
    }

    public func restoreMember(teamID: String, userID: String) async throws -> AdminMember {
        guard try await member(teamID: teamID, userID: userID) != nil else { throw Self.notFound("member \(userID) in team \(teamID)") }
        try await run("UPDATE \(t(T.members)) SET deleted_at = NULL WHERE team_id = ? AND user_id = ?", [.text(teamID), .text(userID)])
        guard let restored = try await member(teamID: teamID, userID: userID) else { throw Self.notFound("member \(userID)") }
        return restored
    }

    // MARK: Environments

    public func createEnvironment(
        envId: String,
        teamID: String,
        name: String?,
        requireKey: Bool,
        keyHash: String?,
        allowUpstreams: [UpstreamPattern]
    ) async throws
        -> AdminEnvironment
    {
        let created = now.rounded(.down)
        let environment = AdminEnvironment(
            id: Self.newID(),
            envId: envId,
            teamId: teamID,
            name: name,
            requireKey: requireKey,
            keyHash: keyHash,
            allowUpstreams: allowUpstreams,
            createdAt: Date(timeIntervalSince1970: created),
            deletedAt: nil
        )
        try await Self.onConflict("an environment '\(envId)' exists") {
            try await run(
                "INSERT INTO \(t(T.environments)) (id, env_id, env_live, team_id, name, require_key, key_hash, created_at, allow_upstreams) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    .text(environment.id), .text(envId), .text(envId), .text(teamID), ColumnValue(name), .bool(requireKey), ColumnValue(keyHash),
                    .real(created), ColumnValue(Self.joined(allowUpstreams)),
                ]
            )
        }
        return environment
    }

    public func environment(id: String) async throws -> AdminEnvironment? {
        try await one("SELECT \(Self.envColumns) FROM \(t(T.environments)) WHERE id = ?", [.text(id)], Self.envTypes) { Self.environment($0) }
    }

    public func environment(envId: String) async throws -> AdminEnvironment? {
        try await one("SELECT \(Self.envColumns) FROM \(t(T.environments)) WHERE env_live = ?", [.text(envId)], Self.envTypes) {
            Self.environment($0)
        }
    }

    public func environments(teamIDs: [String]?, includeDeleted: Bool) async throws -> [AdminEnvironment] {
        var clauses: [String] = []
        var values: [ColumnValue] = []
        if !includeDeleted { clauses.append("deleted_at IS NULL") }
        if let teamIDs {
            if teamIDs.isEmpty { return [] }
            let (clause, teams) = Self.inTeams(teamIDs)
            clauses.append(clause)
            values += teams
        }
        let condition = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
        return try await all("SELECT \(Self.envColumns) FROM \(t(T.environments))\(condition) ORDER BY env_id, created_at", values, Self.envTypes) {
            Self.environment($0)
        }
    }

    public func updateEnvironment(
        id: String,
        name: String?,
        requireKey: Bool?,
        keyHash: String??,
        allowUpstreams: [UpstreamPattern]? = nil
    ) async throws -> AdminEnvironment {
        guard let current = try await environment(id: id) else { throw Self.notFound("environment \(id)") }
        let hash: String? = keyHash ?? current.keyHash
        try await run(
            "UPDATE \(t(T.environments)) SET name = ?, require_key = ?, key_hash = ?, allow_upstreams = ? WHERE id = ?",
            [
                ColumnValue(name ?? current.name), .bool(requireKey ?? current.requireKey), ColumnValue(hash),
                ColumnValue(Self.joined(allowUpstreams ?? current.allowUpstreams)), .text(id),
            ]
        )
        return try await environment(id: id) ?? current
    }

    public func deleteEnvironment(id: String) async throws {
        guard try await environment(id: id) != nil else { throw Self.notFound("environment \(id)") }
        try await run(
            "UPDATE \(t(T.environments)) SET deleted_at = ?, env_live = NULL WHERE id = ? AND deleted_at IS NULL",
            [.real(now), .text(id)]
        )
    }

    public func restoreEnvironment(id: String) async throws -> AdminEnvironment {
        guard let current = try await environment(id: id) else { throw Self.notFound("environment \(id)") }
        try await Self.onConflict("another environment is called '\(current.envId)' now: delete or rename it first") {
            try await run("UPDATE \(t(T.environments)) SET deleted_at = NULL, env_live = env_id WHERE id = ?", [.text(id)])
        }
        return try await environment(id: id) ?? current
    }

    // MARK: Sessions

    public func storeRefreshToken(hash: String, sessionID: String, userID: String, expiresAt: Date) async throws {
        try await run(
            "INSERT INTO \(t(T.refreshTokens)) (token_hash, session_id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            [.text(hash), .text(sessionID), .text(userID), .real(now), .real(expiresAt.timeIntervalSince1970)]
        )
    }

    public func rotateRefreshToken(hash: String, replacementHash: String, expiresAt: Date, now: Date) async throws -> RefreshOutcome {
        let tokens = t(T.refreshTokens)
        let at = now.timeIntervalSince1970
        return try await db.transaction { s -> RefreshOutcome in
            guard
                let row = try await s.rows(
                    "SELECT session_id, user_id, expires_at, used_at, revoked_at FROM \(tokens) WHERE token_hash = ? FOR UPDATE",
                    [.text(hash)],
                    types: [.key, .key, .real, .real, .real]
                ).first
            else { return .invalid }
            let session = row[0].string ?? ""
            let userID = row[1].string ?? ""
            if row[4] != .null { return .invalid }
            if row[3] != .null {
                // A spent token came back: whoever holds the session's tokens, it is no longer safe.
                try await s.execute("UPDATE \(tokens) SET revoked_at = ? WHERE session_id = ? AND revoked_at IS NULL", [.real(at), .text(session)])
                return .reused
            }
            guard (row[2].double ?? 0) > at else { return .invalid }
            try await s.execute("UPDATE \(tokens) SET used_at = ? WHERE token_hash = ?", [.real(at), .text(hash)])
            try await s.execute(
                "INSERT INTO \(tokens) (token_hash, session_id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                [.text(replacementHash), .text(session), .text(userID), .real(at), .real(expiresAt.timeIntervalSince1970)]
            )
            return .rotated(userID: userID)
        }
    }

    public func revokeSession(ofToken hash: String) async throws {
        let tokens = t(T.refreshTokens)
        try await run(
            "UPDATE \(tokens) SET revoked_at = ? WHERE revoked_at IS NULL AND session_id IN (SELECT session_id FROM (SELECT session_id FROM \(tokens) WHERE token_hash = ?) AS s)",
            [.real(now), .text(hash)]
        )
    }

    public func revokeSessions(userID: String) async throws {
        try await run("UPDATE \(t(T.refreshTokens)) SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", [.real(now), .text(userID)])
    }

    // MARK: Invites

    public func createInvite(_ invite: AdminInvite) async throws {
        try await run(
            "INSERT INTO \(t(T.invites)) (token_hash, team_id, email, role, invited_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                .text(invite.tokenHash), .text(invite.teamId), .text(invite.email.lowercased()), .text(invite.role.rawValue),
                .text(invite.invitedBy), .real(invite.createdAt.timeIntervalSince1970), .real(invite.expiresAt.timeIntervalSince1970),
            ]
        )
    }

    public func acceptInvite(hash: String, passwordHash: String, name: String?, now: Date) async throws -> (AdminUser, AdminInvite) {
        let invites = t(T.invites)
        let users = t(T.users)
        let members = t(T.members)
        let teams = t(T.teams)
        let at = now.timeIntervalSince1970.rounded(.down)
        let userID = Self.newID()
        let accepted = try await db.transaction { s -> AcceptedInvite in
            guard
                let row = try await s.rows(
                    "SELECT team_id, email, role, invited_by, created_at, expires_at FROM \(invites) WHERE token_hash = ? AND accepted_at IS NULL FOR UPDATE",
                    [.text(hash)],
                    types: [.key, .key, .key, .key, .real, .real]
                ).first, (row[5].double ?? 0) > at
            else { throw AdminStoreError(.notFound, "this invite is unknown, used or expired: ask a team admin for a new one") }
            let invite = AdminInvite(
                tokenHash: hash,
                teamId: row[0].string ?? "",
                email: row[1].string ?? "",
                role: TeamRole(rawValue: row[2].string ?? "") ?? .member,
                invitedBy: row[3].string ?? "",
                createdAt: Self.date(row[4]) ?? now,
                expiresAt: Self.date(row[5]) ?? now,
                acceptedAt: now
            )
            let live = try await s.rows("SELECT id FROM \(teams) WHERE id = ? AND deleted_at IS NULL", [.text(invite.teamId)], types: [.key])
            guard !live.isEmpty else { throw AdminStoreError(.notFound, "the team of this invite was deleted") }
            try await s.execute("UPDATE \(invites) SET accepted_at = ? WHERE token_hash = ?", [.real(at), .text(hash)])
            try await Self.onConflict("\(invite.email) has an account already: sign in, and ask a team admin to add it") {
                try await s.execute(
                    "INSERT INTO \(users) (id, email, email_live, name, password_hash, system_admin, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [.text(userID), .text(invite.email), .text(invite.email), ColumnValue(name), .text(passwordHash), .bool(false), .real(at)]
                )
            }
            try await s.execute(
                "INSERT INTO \(members) (team_id, user_id, role, created_at) VALUES (?, ?, ?, ?)",
                [.text(invite.teamId), .text(userID), .text(invite.role.rawValue), .real(at)]
            )
            return AcceptedInvite(
                user: AdminUser(
                    id: userID,
                    email: invite.email,
                    name: name,
                    systemAdmin: false,
                    createdAt: Date(timeIntervalSince1970: at),
                    deletedAt: nil
                ),
                invite: invite
            )
        }
        return (accepted.user, accepted.invite)
    }

    private struct AcceptedInvite: Sendable {
        var user: AdminUser
        var invite: AdminInvite
    }

    // MARK: Budget alerts

    private static let alertColumns = "id, team_id, scope, scope_id, period, limit_usd, webhook_url, created_at"
    private static let alertTypes: [ColumnType] = [.key, .key, .key, .key, .key, .real, .text, .real]
    private static func alertRule(_ r: [ColumnValue]) -> AdminAlertRule {
        AdminAlertRule(
            rule: BudgetRule(
                id: r[0].string ?? "",
                scope: BudgetRule.Scope(rawValue: r[2].string ?? "") ?? .team,
                scopeId: r[3].string ?? "",
                window: BudgetRule.Window(rawValue: r[4].string ?? "") ?? .day,
                limitUsd: r[5].double ?? 0,
                webhookUrl: r[6].string
            ),
            teamId: r[1].string ?? "",
            createdAt: date(r[7]) ?? Date(timeIntervalSince1970: 0)
        )
    }

    public func createAlertRule(_ alert: AdminAlertRule) async throws {
        let r = alert.rule
        try await run(
            "INSERT INTO \(t(T.alertRules)) (\(Self.alertColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                .text(r.id), .text(alert.teamId), .text(r.scope.rawValue), .text(r.scopeId), .text(r.window.rawValue), .real(r.limitUsd),
                ColumnValue(r.webhookUrl), .real(alert.createdAt.timeIntervalSince1970),
            ]
        )
    }

    public func alertRule(id: String) async throws -> AdminAlertRule? {
        try await one("SELECT \(Self.alertColumns) FROM \(t(T.alertRules)) WHERE id = ?", [.text(id)], Self.alertTypes) { Self.alertRule($0) }
    }

    public func alertRules(teamIDs: [String]?) async throws -> [AdminAlertRule] {
        var condition = ""
        var values: [ColumnValue] = []
        if let teamIDs {
            if teamIDs.isEmpty { return [] }
            let (clause, teams) = Self.inTeams(teamIDs)
            condition = " WHERE " + clause
            values = teams
        }
        return try await all("SELECT \(Self.alertColumns) FROM \(t(T.alertRules))\(condition) ORDER BY created_at, id", values, Self.alertTypes) {
            Self.alertRule($0)
        }
    }

    public func deleteAlertRule(id: String) async throws {
        guard try await alertRule(id: id) != nil else { throw Self.notFound("alert rule \(id)") }
        try await db.transaction { s in
            _ = try await s.execute("DELETE FROM \(self.t(T.alertFirings)) WHERE rule_id = ?", [.text(id)])
            _ = try await s.execute("DELETE FROM \(self.t(T.alertRules)) WHERE id = ?", [.text(id)])
        }
    }

    public func recordAlertFiring(_ firing: AlertFiring) async throws -> Bool {
        do {
            try await run(
                "INSERT INTO \(t(T.alertFirings)) (rule_id, window_start, spent_usd, fired_at) VALUES (?, ?, ?, ?)",
                [
                    .text(firing.ruleID), .real(firing.windowStart.timeIntervalSince1970), .real(firing.spentUsd),
                    .real(firing.firedAt.timeIntervalSince1970),
                ]
            )
            return true
        } catch let e as AdminStoreError where e.kind == .conflict {
            return false
        }
    }

    public func alertFirings(since: Date) async throws -> [AlertFiring] {
        try await all(
            "SELECT rule_id, window_start, spent_usd, fired_at FROM \(t(T.alertFirings)) WHERE window_start >= ? ORDER BY fired_at",
            [.real(since.timeIntervalSince1970)],
            [.key, .real, .real, .real]
        ) { r in
            AlertFiring(
                ruleID: r[0].string ?? "",
                windowStart: Self.date(r[1]) ?? Date(timeIntervalSince1970: 0),
                spentUsd: r[2].double ?? 0,
                firedAt: Self.date(r[3]) ?? Date(timeIntervalSince1970: 0)
            )
        }
    }

    // MARK: Audit and settings

    public func appendAudit(_ entry: AuditEntry) async throws {
        let details = String(decoding: (try? JSONEncoder().encode(entry.details)) ?? Data("{}".utf8), as: UTF8.self)
        try await run(
            "INSERT INTO \(t(T.audit)) (id, at, actor, action, resource_type, resource_id, team_id, address, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                .text(entry.id), .real(entry.at.timeIntervalSince1970), ColumnValue(entry.actor), .text(entry.action), .text(entry.resourceType),
                .text(entry.resourceId), ColumnValue(entry.teamId), ColumnValue(entry.address.map { String($0.prefix(200)) }), .text(details),
            ]
        )
    }

    public func audit(teamIDs: [String]?, limit: Int) async throws -> [AuditEntry] {
        var condition = ""
        var values: [ColumnValue] = []
        if let teamIDs {
            if teamIDs.isEmpty { return [] }
            let (clause, teams) = Self.inTeams(teamIDs)
            condition = " WHERE " + clause
            values = teams
        }
        let sql =
            "SELECT id, at, actor, action, resource_type, resource_id, team_id, address, details FROM \(t(T.audit))\(condition) ORDER BY at DESC, id DESC LIMIT \(max(1, min(limit, 1000)))"
        return try await all(sql, values, [.key, .real, .key, .key, .key, .key, .key, .key, .text]) { r in
            AuditEntry(
                id: r[0].string ?? "",
                at: Self.date(r[1]) ?? Date(timeIntervalSince1970: 0),
                actor: r[2].string,
                action: r[3].string ?? "",
                resourceType: r[4].string ?? "",
                resourceId: r[5].string ?? "",
                address: r[7].string,
                details: (try? JSONDecoder().decode([String: String].self, from: Data((r[8].string ?? "{}").utf8))) ?? [:],
                teamId: r[6].string
            )
        }
    }

    public func setting(_ name: String, orInsert make: @Sendable () -> String) async throws -> String {
        let settings = t(T.settings)
        if let value = try await one("SELECT value FROM \(settings) WHERE name = ?", [.text(name)], [.text], { $0[0].string ?? "" }) {
            return value
        }
        do {
            try await run("INSERT INTO \(settings) (name, value) VALUES (?, ?)", [.text(name), .text(make())])
        } catch let e as AdminStoreError where e.kind == .conflict {
            // Another node stored it first: theirs is the one.
        }
        guard let value = try await one("SELECT value FROM \(settings) WHERE name = ?", [.text(name)], [.text], { $0[0].string ?? "" }) else {
            throw AdminStoreError(.database, "the setting \(name) could not be stored in \(description)")
        }
        return value
    }
}
