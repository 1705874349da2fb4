import Foundation
import Hummingbird

extension AdminController {
    func addTeamRoutes(_ g: RouterGroup<AppRequestContext>) {
        g.get("teams") { request, context in
            try await handled {
                let identity = try identity(context)
                let teams = try await store.teams(memberID: identity.isSystemAdmin ? nil : identity.user.id, includeDeleted: includeDeleted(request))
                return AdminBodies.List(items: teams)
            }
        }
        g.post("teams") { request, context in try await handled { try await createTeam(request, context) } }
        g.get("teams/:id") { _, context in
            try await handled { try await teamAccess(context.parameters.get("id") ?? "", context).team }
        }
        g.patch("teams/:id") { request, context in try await handled { try await patchTeam(request, context) } }
        g.delete("teams/:id") { _, context in
            try await handled {
                let (team, _) = try await teamAccess(context.parameters.get("id") ?? "", context, needs: .owner)
                try await store.deleteTeam(id: team.id)
                await audit(context, "team.delete", "team", team.id, team: team.id, details: ["slug": team.slug])
                return Response(status: .noContent)
            }
        }
        g.post("teams/:id/restore") { _, context in
            try await handled {
                let (team, _) = try await teamAccess(context.parameters.get("id") ?? "", context, needs: .owner, includeDeleted: true)
                let restored = try await store.restoreTeam(id: team.id)
                await audit(context, "team.restore", "team", team.id, team: team.id, details: ["slug": team.slug])
                return restored
            }
        }
    }

    /// The team `id` and the caller's role in it (system administrators count as owners). 404 when the
    /// team does not exist, is deleted (unless `includeDeleted`), or the caller is not a member; 403
    /// when the caller's role is below `needs`.
    func teamAccess(
        _ id: String,
        _ context: AppRequestContext,
        needs: TeamRole = .member,
        includeDeleted: Bool = false
    ) async throws -> (team: AdminTeam, role: TeamRole) {
        let identity = try identity(context)
        let notFound = APIError.notFound("no team with id '\(id.prefix(64))'")
        guard let team = try await store.team(id: id), includeDeleted || team.deletedAt == nil else { throw notFound }
        var role: TeamRole
        if identity.isSystemAdmin {
            role = .owner
        } else {
            guard let member = try await store.member(teamID: id, userID: identity.user.id), member.deletedAt == nil else { throw notFound }
            role = member.role
        }
        guard role >= needs else {
            throw Self.forbidden("this needs the role '\(needs.rawValue)' in team '\(team.slug)'; yours is '\(role.rawValue)'")
        }
        return (team, role)
    }

    /// `nil` when `slug` is a usable team slug, else why not.
    static func slugProblem(_ slug: String) -> String? {
        let ok = !slug.isEmpty && slug.count <= 64 && slug.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
        return ok ? nil : "slug '\(slug.prefix(80))' is not valid: use 1 to 64 characters of a-z, 0-9 and '-'"
    }

    private func createTeam(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let identity = try identity(context)
        let new = try await body(request, context, as: AdminBodies.NewTeam.self)
        if let problem = Self.slugProblem(new.slug) { throw Self.invalid(problem) }
        let team = try await store.createTeam(slug: new.slug, name: new.name ?? new.slug, ownerID: identity.user.id)
        await audit(context, "team.create", "team", team.id, team: team.id, details: ["slug": team.slug, "name": team.name])
        return try created(team, request, context)
    }

    private func patchTeam(_ request: Request, _ context: AppRequestContext) async throws -> AdminTeam {
        let (team, _) = try await teamAccess(context.parameters.get("id") ?? "", context, needs: .owner)
        let patch = try await body(request, context, as: AdminBodies.TeamPatch.self)
        if let slug = patch.slug, let problem = Self.slugProblem(slug) { throw Self.invalid(problem) }
        let updated = try await store.updateTeam(id: team.id, slug: patch.slug, name: patch.name)
        var details: [String: String] = [:]
        if updated.slug != team.slug { details["slug"] = "\(team.slug) → \(updated.slug)" }
        if updated.name != team.name { details["name"] = "\(team.name) → \(updated.name)" }
        await audit(context, "team.update", "team", team.id, team: team.id, details: details)
        return updated
    }

    /// `value` encoded with status 201.
    func created(_ value: some ResponseEncodable, _ request: Request, _ context: AppRequestContext) throws -> Response {
        var response = try value.response(from: request, context: context)
        response.status = .created
        return response
    }
}
