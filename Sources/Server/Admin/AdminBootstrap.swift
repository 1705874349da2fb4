import Foundation

/// Creating the first system administrator (`llmtrace admin bootstrap`, or `LLMTRACE_BOOTSTRAP_EMAIL`
/// and `LLMTRACE_BOOTSTRAP_PASSWORD` at the first start), and the other operator chores of
/// `llmtrace admin` that read the admin database directly.
public enum AdminBootstrap {
    /// Why a bootstrap or an operator command was refused.
    public struct Refused: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Opens the admin store at `url` (migrating it when needed).
    public static func openStore(_ url: String) async throws -> any AdminStore {
        guard DatabaseURL.isURL(url) else {
            throw Refused(
                description:
                    "'\(DatabaseURL.redacted(url))' is not a database server: shared mode keeps accounts on PostgreSQL or MySQL (postgres://… or mysql://…)"
            )
        }
        return try await SQLAdminStore.connect(try DatabaseURL(url))
    }

    /// Creates the first system administrator; refuses once any exists.
    public static func bootstrap(
        store: any AdminStore,
        email: String,
        password: String,
        name: String? = nil,
        bcryptCost: UInt8 = 12
    ) async throws
        -> AdminUser
    {
        let email = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard email.contains("@") else { throw Refused(description: "'\(email)' is not an email address") }
        if let problem = PasswordHasher.problem(password) { throw Refused(description: problem) }
        guard try await !store.hasSystemAdmin() else {
            throw Refused(
                description:
                    "a system administrator exists already in the admin database (\(store.description)): bootstrap only creates the first one; sign in as an administrator and use PATCH /admin/users/:id/system-admin, or `llmtrace admin users reset-password`"
            )
        }
        let hash = try await PasswordHasher(cost: bcryptCost).hash(password)
        let user = try await store.createUser(email: email, name: name, passwordHash: hash, systemAdmin: true)
        try await store.appendAudit(
            AuditEntry(
                actor: nil,
                action: "user.bootstrap",
                resourceType: "user",
                resourceId: user.id,
                address: nil,
                details: ["email": email],
                teamId: nil
            )
        )
        return user
    }

    /// Sets a new password for the live account `email` and signs it out everywhere.
    public static func resetPassword(store: any AdminStore, email: String, password: String, bcryptCost: UInt8 = 12) async throws -> AdminUser {
        if let problem = PasswordHasher.problem(password) { throw Refused(description: problem) }
        guard let user = try await store.user(email: email) else { throw Refused(description: "no account has the email \(email.lowercased())") }
        try await store.setPasswordHash(userID: user.id, try await PasswordHasher(cost: bcryptCost).hash(password))
        try await store.revokeSessions(userID: user.id)
        try await store.appendAudit(
            AuditEntry(
                actor: nil,
                action: "user.reset-password",
                resourceType: "user",
                resourceId: user.id,
                address: nil,
                details: ["email": user.email],
                teamId: nil
            )
        )
        return user
    }
}
