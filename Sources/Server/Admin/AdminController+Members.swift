import Foundation
import Hummingbird

extension AdminController {
    func addMemberRoutes(_ g: RouterGroup<AppRequestContext>) {
        g.get("teams/:id/users") { request, context in
            try await handled {
                let (team, _) = try await teamAccess(context.parameters.get("id") ?? "", context)
                return AdminBodies.List(items: try await store.members(teamID: team.id, includeDeleted: includeDeleted(request)))
            }
        }
        g.post("teams/:id/users") { request, context in try await handled { try await addMember(request, context) } }
        g.patch("teams/:id/users/:uid") { request, context in try await handled { try await changeRole(request, context) } }
        g.delete("teams/:id/users/:uid") { _, context in try await handled { try await removeMember(context) } }
        g.post("teams/:id/users/:uid/restore") { _, context in
            try await handled {
                let (team, role) = try await teamAccess(context.parameters.get("id") ?? "", context, needs: .admin)
                let uid = context.parameters.get("uid") ?? ""
                guard let member = try await store.member(teamID: team.id, userID: uid) else { throw APIError.notFound("no such member") }
                if member.role == .owner, role < .owner { throw Self.forbidden("only an owner may restore an owner") }
                let restored = try await store.restoreMember(teamID: team.id, userID: uid)
                await audit(context, "member.restore", "member", uid, team: team.id, details: ["email": member.user.email])
                return restored
            }
        }
    }

    private func addMember(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (team, callerRole) = try await teamAccess(context.parameters.get("id") ?? "", context, needs: .admin)
        let new = try await body(request, context, as: AdminBodies.NewMember.self)
        let email = new.email.trimmingCharacters(in: .whitespaces).lowercased()
        guard email.contains("@"), email.count <= 254 else { throw Self.invalid("'\(email.prefix(80))' is not an email address") }
        let role = new.role ?? .member
        if role == .owner, callerRole < .owner { throw Self.forbidden("only an owner may make an owner") }
        if let user = try await store.user(email: email) {
            let member = try await store.addMember(teamID: team.id, userID: user.id, role: role)
            await audit(context, "member.add", "member", user.id, team: team.id, details: ["email": email, "role": role.rawValue])
            return try created(AdminBodies.AddedMember(member: member), request, context)
        }
        let token = SecretToken.generate()
        let now = Date()
        let invite = AdminInvite(
            tokenHash: SecretToken.hash(token),
            teamId: team.id,
            email: email,
            role: role,
            invitedBy: try identity(context).user.id,
            createdAt: now,
            expiresAt: now.addingTimeInterval(auth.inviteLifetime)
        )
        try await store.createInvite(invite)
        await audit(context, "member.invite", "invite", email, team: team.id, details: ["email": email, "role": role.rawValue])
        let answer = AdminBodies.Invite(token: token, acceptUrl: "/#/invite/\(token)", expiresAt: invite.expiresAt)
        return try created(AdminBodies.AddedMember(invite: answer), request, context)
    }

    private func changeRole(_ request: Request, _ context: AppRequestContext) async throws -> AdminMember {
        let (team, callerRole) = try await teamAccess(context.parameters.get("id") ?? "", context, needs: .admin)
        let identity = try identity(context)
        let uid = context.parameters.get("uid") ?? ""
        let patch = try await body(request, context, as: AdminBodies.RolePatch.self)
        guard let member = try await store.member(teamID: team.id, userID: uid), member.deletedAt == nil else {
            throw APIError.notFound("no member with id '\(uid.prefix(64))' in team '\(team.slug)'")
        }
        if uid == identity.user.id, !identity.isSystemAdmin { throw Self.forbidden("you cannot change your own role: ask another owner") }
        if patch.role == .owner || member.role == .owner, callerRole < .owner {
            throw Self.forbidden("only an owner may make or unmake an owner")
        }
        if member.role == .owner, patch.role != .owner, try await ownerCount(team.id) <= 1 {
            throw APIError(status: .conflict, type: "conflict", message: "\(member.user.email) is the team's last owner: make another owner first")
        }
        let updated = try await store.setRole(teamID: team.id, userID: uid, role: patch.role)
        await audit(
            context,
            "member.role",
            "member",
            uid,
            team: team.id,
            details: ["email": member.user.email, "role": "\(member.role.rawValue) → \(patch.role.rawValue)"]
        )
        return updated
    }

    private func removeMember(_ context: AppRequestContext) async throws -> Response {
        let identity = try identity(context)
        let uid = context.parameters.get("uid") ?? ""
        // Any member may leave; removing someone else takes an admin (an owner, for an owner).
        let leaving = uid == identity.user.id
        let (team, callerRole) = try await teamAccess(context.parameters.get("id") ?? "", context, needs: leaving ? .member : .admin)
        guard let member = try await store.member(teamID: team.id, userID: uid), member.deletedAt == nil else {
            throw APIError.notFound("no member with id '\(uid.prefix(64))' in team '\(team.slug)'")
        }
        if member.role == .owner, !leaving, callerRole < .owner { throw Self.forbidden("only an owner may remove an owner") }
        if member.role == .owner, try await ownerCount(team.id) <= 1 {
            throw APIError(
                status: .conflict,
                type: "conflict",
                message: "\(member.user.email) is the team's last owner: make another owner first, or delete the team"
            )
        }
        try await store.removeMember(teamID: team.id, userID: uid)
        await audit(context, leaving ? "member.leave" : "member.remove", "member", uid, team: team.id, details: ["email": member.user.email])
        return Response(status: .noContent)
    }

    private func ownerCount(_ teamID: String) async throws -> Int {
        try await store.members(teamID: teamID, includeDeleted: false).filter { $0.role == .owner }.count
    }

    func addUserRoutes(_ g: RouterGroup<AppRequestContext>) {
        g.get("users") { request, context in
            try await handled {
                try requireSystemAdmin(try identity(context))
                return AdminBodies.List(items: try await store.users(includeDeleted: includeDeleted(request)))
            }
        }
        g.patch("users/:id/system-admin") { request, context in
            try await handled {
                let identity = try identity(context)
                try requireSystemAdmin(identity)
                let id = context.parameters.get("id") ?? ""
                let patch = try await body(request, context, as: AdminBodies.SystemAdminPatch.self)
                if id == identity.user.id { throw Self.forbidden("you cannot change your own system administrator flag: ask another one") }
                guard let user = try await store.user(id: id), user.deletedAt == nil else {
                    throw APIError.notFound("no user with id '\(id.prefix(64))'")
                }
                try await store.setSystemAdmin(userID: id, patch.systemAdmin)
                await audit(
                    context,
                    "user.system-admin",
                    "user",
                    id,
                    team: nil,
                    details: ["email": user.email, "systemAdmin": "\(patch.systemAdmin)"]
                )
                return try await store.user(id: id) ?? user
            }
        }
    }
}
