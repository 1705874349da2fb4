import Foundation
import Hummingbird
import LLMTraceModel
import NIOCore

/// The admin API of shared mode under `/admin` (docs/API.md, "Admin API"): sign-in, teams, members,
/// invites, accounts, environments and the audit log, each endpoint checking the caller's role.
///
/// A team the caller is not a member of is 404 (ids do not leak); a member without the role an action
/// needs is 403 `forbidden`.
struct AdminController: Sendable {
    let auth: SharedAuth
    /// The budget watch, for the current spend of each rule in `GET /admin/alerts`.
    var budgets: BudgetWatch? = nil
    var store: any AdminStore { auth.store }

    /// Routes that need no token (sign-in, refresh, logout, accepting an invite) on `open`, the others
    /// on `guarded` (a group carrying ``BearerAuthMiddleware``).
    func addRoutes(open: RouterGroup<AppRequestContext>, guarded: RouterGroup<AppRequestContext>) {
        open.post("login") { request, context in try await handled { try await login(request, context) } }
        open.post("refresh") { request, context in try await handled { try await refresh(request, context) } }
        open.post("logout") { request, context in try await handled { try await logout(request, context) } }
        open.post("invites/accept") { request, context in try await handled { try await acceptInvite(request, context) } }
        guarded.get("me") { _, context in try await handled { try await me(context) } }
        addTeamRoutes(guarded)
        addMemberRoutes(guarded)
        addUserRoutes(guarded)
        addEnvironmentRoutes(guarded)
        addAlertRoutes(guarded)
        guarded.get("audit") { request, context in try await handled { try await audit(request, context) } }
    }

    // MARK: Helpers

    /// Runs `body`, turning admin store errors into API errors.
    func handled<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let e as AdminStoreError {
            switch e.kind {
            case .conflict: throw APIError(status: .conflict, type: "conflict", message: e.message)
            case .notFound: throw APIError.notFound(e.message)
            case .database: throw APIError(status: .serviceUnavailable, type: "store_unavailable", message: e.message)
            }
        }
    }

    /// The JSON body as `T`, or 400 `invalid_request` saying what is wrong.
    func body<T: Decodable>(_ request: Request, _ context: AppRequestContext, as: T.Type) async throws -> T {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: 1 << 20)
        } catch {
            throw Self.invalid("the body must be a JSON object of at most 1 MiB")
        }
        do {
            return try context.requestDecoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch DecodingError.keyNotFound(let key, _) {
            throw Self.invalid("the body lacks '\(key.stringValue)'")
        } catch DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c) {
            throw Self.invalid("'\(c.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
        } catch DecodingError.dataCorrupted(let c) where !c.codingPath.isEmpty {
            throw Self.invalid("'\(c.codingPath.map(\.stringValue).joined(separator: "."))' is not valid: \(c.debugDescription)")
        } catch {
            throw Self.invalid("the body must be a JSON object")
        }
    }

    static func invalid(_ message: String) -> APIError {
        APIError(status: .badRequest, type: "invalid_request", message: message)
    }

    static func forbidden(_ message: String) -> APIError {
        APIError(status: .forbidden, type: "forbidden", message: message)
    }

    /// The identity ``BearerAuthMiddleware`` put in the context.
    func identity(_ context: AppRequestContext) throws -> AdminIdentity {
        guard let identity = context.identity else {
            throw APIError(status: .unauthorized, type: "unauthenticated", message: "sign in first: POST /admin/login")
        }
        return identity
    }

    /// The teams whose items a list shows: the caller's (system administrators: every team, `nil`),
    /// narrowed to `?teamId=` when given.
    func listedTeams(_ request: Request, _ context: AppRequestContext) throws -> [String]? {
        let identity = try identity(context)
        let teams: [String]? = identity.isSystemAdmin ? nil : Array(identity.roles.keys)
        guard let team = QueryParser(request).string("teamId") else { return teams }
        return (teams ?? [team]).filter { $0 == team }
    }

    func includeDeleted(_ request: Request) -> Bool {
        let v = QueryParser(request).string("includeDeleted")
        return v == "1" || v == "true"
    }

    func requireSystemAdmin(_ identity: AdminIdentity) throws {
        guard identity.isSystemAdmin else { throw Self.forbidden("only system administrators may do this") }
    }

    /// Records an admin change; a failure to record is logged, not answered (the change is made).
    func audit(
        _ context: AppRequestContext,
        _ action: String,
        _ resourceType: String,
        _ resourceId: String,
        team: String?,
        details: [String: String] = [:]
    ) async {
        let entry = AuditEntry(
            actor: context.identity?.user.id,
            action: action,
            resourceType: resourceType,
            resourceId: resourceId,
            address: context.remoteAddress,
            details: details,
            teamId: team
        )
        do { try await store.appendAudit(entry) } catch { context.logger.error("audit log: \(error)") }
    }

    // MARK: Sign-in

    private func login(_ request: Request, _ context: AppRequestContext) async throws -> AdminBodies.LoginAnswer {
        let login = try await body(request, context, as: AdminBodies.Login.self)
        let email = login.email.trimmingCharacters(in: .whitespaces).lowercased()
        if let wait = auth.throttle.retryAfter(email: email, address: context.remoteAddress) {
            context.logger.notice("sign-in refused from \(context.origin): too many failed attempts for the account or the address")
            throw APIError(
                status: .tooManyRequests,
                type: "too_many_attempts",
                message: "too many failed sign-ins for this account or address: try again in \(wait) s",
                headers: [.retryAfter: String(wait)]
            )
        }
        let found = try await store.credentials(email: email)
        guard try await auth.hasher.verify(login.password, hash: found?.passwordHash), let user = found?.user else {
            auth.throttle.recordFailure(email: email, address: context.remoteAddress)
            context.logger.notice("failed sign-in from \(context.origin)")
            throw APIError(status: .unauthorized, type: "invalid_credentials", message: "the email or the password is wrong")
        }
        auth.throttle.recordSuccess(email: email)
        return try await issue(user, session: UUID().uuidString.lowercased())
    }

    /// A new access token and a new session's (or the given session's) refresh token.
    func issue(_ user: AdminUser, session: String) async throws -> AdminBodies.LoginAnswer {
        let refresh = SecretToken.generate()
        try await store.storeRefreshToken(
            hash: SecretToken.hash(refresh),
            sessionID: session,
            userID: user.id,
            expiresAt: Date().addingTimeInterval(auth.refreshLifetime)
        )
        return AdminBodies.LoginAnswer(
            accessToken: try await auth.tokens.issue(userID: user.id),
            refreshToken: refresh,
            expiresIn: Int(auth.tokens.lifetime),
            user: user
        )
    }

    private func refresh(_ request: Request, _ context: AppRequestContext) async throws -> AdminBodies.LoginAnswer {
        let given = try await body(request, context, as: AdminBodies.RefreshToken.self)
        let replacement = SecretToken.generate()
        let outcome = try await store.rotateRefreshToken(
            hash: SecretToken.hash(given.refreshToken),
            replacementHash: SecretToken.hash(replacement),
            expiresAt: Date().addingTimeInterval(auth.refreshLifetime),
            now: Date()
        )
        switch outcome {
        case .rotated(let userID):
            guard let user = try await store.user(id: userID), user.deletedAt == nil else { break }
            return AdminBodies.LoginAnswer(
                accessToken: try await auth.tokens.issue(userID: user.id),
                refreshToken: replacement,
                expiresIn: Int(auth.tokens.lifetime),
                user: user
            )
        case .reused:
            context.logger.notice("a spent refresh token was used again, from \(context.origin): its session is revoked")
        case .invalid:
            break
        }
        throw APIError(
            status: .unauthorized,
            type: "unauthenticated",
            message: "this refresh token is not valid (spent, expired or signed out): sign in again"
        )
    }

    private func logout(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let given = try await body(request, context, as: AdminBodies.RefreshToken.self)
        try await store.revokeSession(ofToken: SecretToken.hash(given.refreshToken))
        return Response(status: .noContent)
    }

    private func me(_ context: AppRequestContext) async throws -> AdminBodies.Me {
        let identity = try identity(context)
        let teams = try await store.memberships(userID: identity.user.id)
        return AdminBodies.Me(
            user: identity.user,
            teams: teams.map { AdminBodies.TeamRef(id: $0.team.id, slug: $0.team.slug, name: $0.team.name, role: $0.role) }
        )
    }

    private func acceptInvite(_ request: Request, _ context: AppRequestContext) async throws -> AdminBodies.LoginAnswer {
        let accept = try await body(request, context, as: AdminBodies.AcceptInvite.self)
        if let problem = PasswordHasher.problem(accept.password) { throw Self.invalid(problem) }
        let hash = try await auth.hasher.hash(accept.password)
        let (user, invite) = try await store.acceptInvite(hash: SecretToken.hash(accept.token), passwordHash: hash, name: accept.name, now: Date())
        var auditContext = context
        auditContext.identity = AdminIdentity(user: user, roles: [:])
        await audit(
            auditContext,
            "invite.accept",
            "member",
            user.id,
            team: invite.teamId,
            details: ["email": user.email, "role": invite.role.rawValue]
        )
        return try await issue(user, session: UUID().uuidString.lowercased())
    }

    // MARK: Audit

    private func audit(_ request: Request, _ context: AppRequestContext) async throws -> AdminBodies.List<AuditEntry> {
        let identity = try identity(context)
        let limit = try QueryParser(request).int("limit", range: 1...1000) ?? 200
        if identity.isSystemAdmin { return AdminBodies.List(items: try await store.audit(teamIDs: nil, limit: limit)) }
        let teams = identity.roles.filter { $0.value >= .admin }.map(\.key)
        guard !teams.isEmpty else { throw Self.forbidden("the audit log is for system administrators and team admins") }
        return AdminBodies.List(items: try await store.audit(teamIDs: teams, limit: limit))
    }
}
