import Foundation
import Logging
import Testing

@testable import Server

/// The admin store's engines with a test server configured.
let adminKinds: [StoreConformanceTests.Kind] = sharedKinds

/// The admin store: the same scenarios on PostgreSQL and on MySQL / MariaDB, each on a fresh schema
/// (PostgreSQL) or database (MySQL).
@Suite(.enabled(if: !adminKinds.isEmpty, "neither LLMTRACE_TEST_POSTGRES_URL nor LLMTRACE_TEST_MYSQL_URL is set: admin store tests skipped"))
struct AdminStoreTests {
    /// A database URL of `kind` on a fresh schema or database, and how to dispose of it.
    static func freshDatabase(_ kind: StoreConformanceTests.Kind) async throws -> (url: DatabaseURL, dispose: @Sendable () async throws -> Void) {
        switch kind {
        case .postgres:
            var url = try DatabaseURL(try #require(conformancePostgresURL))
            let schema = "llmtrace_a_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            url.schema = String(schema)
            url.poolSize = 4
            let base = url
            return (
                url,
                {
                    let db = try await PostgresAdminDatabase.connect(base, schema: nil, logger: Logger(label: "admin-test"))
                    try await db.session { try await $0.execute("DROP SCHEMA IF EXISTS \"\(schema)\" CASCADE", []) }
                    try await db.close()
                }
            )
        case .mysql:
            let url = try await MySQLTestDatabase.create()
            return (url, { try await MySQLTestDatabase.drop(url) })
        case .sqlite:
            throw AdminStoreError(.database, "SQLite has no admin store")
        }
    }

    /// Runs `body` with an admin store on a fresh schema or database.
    static func withStore(_ kind: StoreConformanceTests.Kind, _ body: (any AdminStore) async throws -> Void) async throws {
        let (url, dispose) = try await freshDatabase(kind)
        let store = try await SQLAdminStore.connect(url)
        do {
            try await body(store)
        } catch {
            try? await store.close()
            try? await dispose()
            throw error
        }
        try await store.close()
        try await dispose()
    }

    @Test(arguments: adminKinds) func migratesOnceAndAgainHarmlessly(kind: StoreConformanceTests.Kind) async throws {
        let (url, dispose) = try await Self.freshDatabase(kind)
        // Two nodes at once on an empty database, then a third later: all come up.
        async let a = SQLAdminStore.connect(url)
        async let b = SQLAdminStore.connect(url)
        let (sa, sb) = try await (a, b)
        let sc = try await SQLAdminStore.connect(url)
        #expect(try await sa.hasSystemAdmin() == false)
        _ = try await sb.createUser(email: "A@Example.com", name: nil, passwordHash: "h", systemAdmin: true)
        #expect(try await sc.hasSystemAdmin())
        for s in [sa, sb, sc] { try await s.close() }
        try await dispose()
    }

    @Test(arguments: adminKinds) func accountsAreUniqueByEmailAmongLiveOnes(kind: StoreConformanceTests.Kind) async throws {
        try await Self.withStore(kind) { store in
            let ann = try await store.createUser(email: "Ann@Example.com", name: "Ann", passwordHash: "hash-1", systemAdmin: false)
            #expect(ann.email == "ann@example.com")
            await #expect(throws: AdminStoreError.self) {
                _ = try await store.createUser(email: "ann@example.COM", name: nil, passwordHash: "x", systemAdmin: false)
            }
            let found = try #require(try await store.credentials(email: "ANN@example.com"))
            #expect(found.user == ann)
            #expect(found.passwordHash == "hash-1")
            try await store.setPasswordHash(userID: ann.id, "hash-2")
            #expect(try await store.credentials(email: "ann@example.com")?.passwordHash == "hash-2")
            try await store.setSystemAdmin(userID: ann.id, true)
            #expect(try await store.user(id: ann.id)?.systemAdmin == true)
            #expect(try await store.users(includeDeleted: false).map(\.email) == ["ann@example.com"])
        }
    }

    @Test(arguments: adminKinds) func teamsSoftDeleteAndRestoreWhileTheSlugIsFree(kind: StoreConformanceTests.Kind) async throws {
        try await Self.withStore(kind) { store in
            let owner = try await store.createUser(email: "o@x.io", name: nil, passwordHash: "h", systemAdmin: false)
            let team = try await store.createTeam(slug: "core", name: "Core", ownerID: owner.id)
            #expect(try await store.member(teamID: team.id, userID: owner.id)?.role == .owner)
            await #expect(throws: AdminStoreError.self) { _ = try await store.createTeam(slug: "core", name: "Again", ownerID: nil) }
            try await store.deleteTeam(id: team.id)
            #expect(try await store.teams(memberID: nil, includeDeleted: false).isEmpty)
            #expect(try await store.teams(memberID: nil, includeDeleted: true).map(\.id) == [team.id])
            #expect(try await store.memberships(userID: owner.id).isEmpty)
            // The slug is free among live teams now: a new team takes it, and the old one cannot come back.
            let second = try await store.createTeam(slug: "core", name: "Core 2", ownerID: nil)
            do {
                _ = try await store.restoreTeam(id: team.id)
                Issue.record("restored over a taken slug")
            } catch let e as AdminStoreError {
                #expect(e.kind == .conflict)
            }
            _ = try await store.updateTeam(id: second.id, slug: "core-2", name: nil)
            let restored = try await store.restoreTeam(id: team.id)
            #expect(restored.deletedAt == nil)
            #expect(try await store.memberships(userID: owner.id).map(\.team.slug) == ["core"])
        }
    }

    @Test(arguments: adminKinds) func membersAddChangeRemoveAndRestore(kind: StoreConformanceTests.Kind) async throws {
        try await Self.withStore(kind) { store in
            let owner = try await store.createUser(email: "o@x.io", name: nil, passwordHash: "h", systemAdmin: false)
            let bob = try await store.createUser(email: "bob@x.io", name: "Bob", passwordHash: "h", systemAdmin: false)
            let team = try await store.createTeam(slug: "t", name: "T", ownerID: owner.id)
            let added = try await store.addMember(teamID: team.id, userID: bob.id, role: .member)
            #expect(added.user.email == "bob@x.io")
            await #expect(throws: AdminStoreError.self) { _ = try await store.addMember(teamID: team.id, userID: bob.id, role: .admin) }
            #expect(try await store.setRole(teamID: team.id, userID: bob.id, role: .admin).role == .admin)
            try await store.removeMember(teamID: team.id, userID: bob.id)
            #expect(try await store.members(teamID: team.id, includeDeleted: false).map(\.user.email) == ["o@x.io"])
            #expect(try await store.members(teamID: team.id, includeDeleted: true).count == 2)
            #expect(try await store.restoreMember(teamID: team.id, userID: bob.id).deletedAt == nil)
            #expect(try await store.memberships(userID: bob.id).map(\.role) == [.admin])
        }
    }

    @Test(arguments: adminKinds) func environmentsAreUniqueByEnvIdAmongLiveOnes(kind: StoreConformanceTests.Kind) async throws {
        try await Self.withStore(kind) { store in
            let team = try await store.createTeam(slug: "t", name: "T", ownerID: nil)
            let allow = [try UpstreamPattern("*.openai.com"), try UpstreamPattern("10.0.0.0/8:8000")]
            let env = try await store.createEnvironment(
                envId: "prod",
                teamID: team.id,
                name: "Production",
                requireKey: true,
                keyHash: "k1",
                allowUpstreams: allow
            )
            #expect(try await store.environment(envId: "prod")?.keyHash == "k1")
            #expect(try await store.environment(envId: "prod")?.allowUpstreams == allow)
            await #expect(throws: AdminStoreError.self) {
                _ = try await store.createEnvironment(envId: "prod", teamID: team.id, name: nil, requireKey: false, keyHash: nil, allowUpstreams: [])
            }
            let rotated = try await store.updateEnvironment(id: env.id, name: nil, requireKey: nil, keyHash: .some("k2"), allowUpstreams: nil)
            #expect(rotated.keyHash == "k2" && rotated.requireKey && rotated.name == "Production" && rotated.allowUpstreams == allow)
            let opened = try await store.updateEnvironment(id: env.id, name: nil, requireKey: nil, keyHash: nil, allowUpstreams: [])
            #expect(opened.allowUpstreams.isEmpty && opened.keyHash == "k2")
            try await store.deleteEnvironment(id: env.id)
            #expect(try await store.environment(envId: "prod") == nil)
            #expect(try await store.environments(teamIDs: [team.id], includeDeleted: true).count == 1)
            let other = try await store.createEnvironment(
                envId: "prod",
                teamID: team.id,
                name: nil,
                requireKey: false,
                keyHash: nil,
                allowUpstreams: []
            )
            do {
                _ = try await store.restoreEnvironment(id: env.id)
                Issue.record("restored over a taken envId")
            } catch let e as AdminStoreError {
                #expect(e.kind == .conflict)
            }
            try await store.deleteEnvironment(id: other.id)
            #expect(try await store.restoreEnvironment(id: env.id).deletedAt == nil)
            #expect(try await store.environments(teamIDs: [], includeDeleted: true).isEmpty)
        }
    }

    @Test(arguments: adminKinds) func refreshTokensRotateAndAReusedOneRevokesTheSession(kind: StoreConformanceTests.Kind) async throws {
        try await Self.withStore(kind) { store in
            let user = try await store.createUser(email: "u@x.io", name: nil, passwordHash: "h", systemAdmin: false)
            let later = Date().addingTimeInterval(3600)
            try await store.storeRefreshToken(hash: "r1", sessionID: "s", userID: user.id, expiresAt: later)
            #expect(try await store.rotateRefreshToken(hash: "r1", replacementHash: "r2", expiresAt: later, now: Date()) == .rotated(userID: user.id))
            // r1 again: someone replayed it; the session (r2 included) is revoked.
            #expect(try await store.rotateRefreshToken(hash: "r1", replacementHash: "r3", expiresAt: later, now: Date()) == .reused)
            #expect(try await store.rotateRefreshToken(hash: "r2", replacementHash: "r4", expiresAt: later, now: Date()) == .invalid)
            #expect(try await store.rotateRefreshToken(hash: "nope", replacementHash: "r5", expiresAt: later, now: Date()) == .invalid)
            // Expired, and logged out.
            try await store.storeRefreshToken(hash: "old", sessionID: "s2", userID: user.id, expiresAt: Date().addingTimeInterval(-1))
            #expect(try await store.rotateRefreshToken(hash: "old", replacementHash: "r6", expiresAt: later, now: Date()) == .invalid)
            try await store.storeRefreshToken(hash: "l1", sessionID: "s3", userID: user.id, expiresAt: later)
            try await store.revokeSession(ofToken: "l1")
            #expect(try await store.rotateRefreshToken(hash: "l1", replacementHash: "r7", expiresAt: later, now: Date()) == .invalid)
        }
    }

    @Test(arguments: adminKinds) func invitesAreSingleUseAndExpire(kind: StoreConformanceTests.Kind) async throws {
        try await Self.withStore(kind) { store in
            let owner = try await store.createUser(email: "o@x.io", name: nil, passwordHash: "h", systemAdmin: false)
            let team = try await store.createTeam(slug: "t", name: "T", ownerID: owner.id)
            let now = Date()
            try await store.createInvite(
                AdminInvite(
                    tokenHash: "i1",
                    teamId: team.id,
                    email: "New@x.io",
                    role: .admin,
                    invitedBy: owner.id,
                    createdAt: now,
                    expiresAt: now.addingTimeInterval(7 * 86400)
                )
            )
            try await store.createInvite(
                AdminInvite(tokenHash: "i2", teamId: team.id, email: "late@x.io", role: .member, invitedBy: owner.id, createdAt: now, expiresAt: now)
            )
            let (user, invite) = try await store.acceptInvite(hash: "i1", passwordHash: "pw", name: "New", now: now)
            #expect(user.email == "new@x.io" && invite.role == .admin)
            #expect(try await store.member(teamID: team.id, userID: user.id)?.role == .admin)
            await #expect(throws: AdminStoreError.self) { _ = try await store.acceptInvite(hash: "i1", passwordHash: "pw", name: nil, now: now) }
            await #expect(throws: AdminStoreError.self) {
                _ = try await store.acceptInvite(hash: "i2", passwordHash: "pw", name: nil, now: now.addingTimeInterval(1))
            }
            #expect(try await store.user(email: "late@x.io") == nil)
        }
    }

    @Test(arguments: adminKinds) func auditAndSettings(kind: StoreConformanceTests.Kind) async throws {
        try await Self.withStore(kind) { store in
            try await store.appendAudit(
                AuditEntry(
                    actor: "u1",
                    action: "team.create",
                    resourceType: "team",
                    resourceId: "t1",
                    address: "127.0.0.1",
                    details: ["slug": "a"],
                    teamId: "t1"
                )
            )
            try await store.appendAudit(
                AuditEntry(
                    at: Date().addingTimeInterval(1),
                    actor: "u2",
                    action: "team.create",
                    resourceType: "team",
                    resourceId: "t2",
                    address: nil,
                    teamId: "t2"
                )
            )
            #expect(try await store.audit(teamIDs: nil, limit: 10).map(\.resourceId) == ["t2", "t1"])
            let mine = try await store.audit(teamIDs: ["t1"], limit: 10)
            #expect(mine.count == 1 && mine.first?.details == ["slug": "a"] && mine.first?.address == "127.0.0.1")
            let first = try await store.setting("jwt_secret") { "one" }
            let second = try await store.setting("jwt_secret") { "two" }
            #expect(first == "one" && second == "one")
        }
    }
}
