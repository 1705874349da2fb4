import Foundation
import Hummingbird

extension AdminController {
    func addEnvironmentRoutes(_ g: RouterGroup<AppRequestContext>) {
        g.get("environments") { request, context in
            try await handled {
                let teams = try listedTeams(request, context)
                return AdminBodies.List(items: try await store.environments(teamIDs: teams, includeDeleted: includeDeleted(request)))
            }
        }
        g.post("environments") { request, context in try await handled { try await createEnvironment(request, context) } }
        g.get("environments/:id") { _, context in
            try await handled { try await environmentAccess(context.parameters.get("id") ?? "", context).environment }
        }
        g.patch("environments/:id") { request, context in try await handled { try await patchEnvironment(request, context) } }
        g.delete("environments/:id") { _, context in
            try await handled {
                let (env, _) = try await environmentAccess(context.parameters.get("id") ?? "", context, needs: .admin)
                try await store.deleteEnvironment(id: env.id)
                await audit(context, "environment.delete", "environment", env.id, team: env.teamId, details: ["envId": env.envId])
                return Response(status: .noContent)
            }
        }
        g.post("environments/:id/restore") { _, context in
            try await handled {
                let (env, _) = try await environmentAccess(context.parameters.get("id") ?? "", context, needs: .admin, includeDeleted: true)
                let restored = try await store.restoreEnvironment(id: env.id)
                await audit(context, "environment.restore", "environment", env.id, team: env.teamId, details: ["envId": env.envId])
                return AdminBodies.EnvironmentAnswer(environment: restored)
            }
        }
        g.post("environments/:id/rotate-key") { _, context in
            try await handled {
                let (env, _) = try await environmentAccess(context.parameters.get("id") ?? "", context, needs: .admin)
                let key = SecretToken.generate()
                _ = try await store.updateEnvironment(
                    id: env.id,
                    name: nil,
                    requireKey: nil,
                    keyHash: .some(SecretToken.hash(key)),
                    allowUpstreams: nil
                )
                await audit(context, "environment.rotate-key", "environment", env.id, team: env.teamId, details: ["envId": env.envId])
                return AdminBodies.IngestKey(ingestKey: key)
            }
        }
    }

    /// The environment `id` and the caller's role in its team; 404 when the caller is not in the team.
    func environmentAccess(
        _ id: String,
        _ context: AppRequestContext,
        needs: TeamRole = .member,
        includeDeleted: Bool = false
    ) async throws -> (environment: AdminEnvironment, role: TeamRole) {
        let notFound = APIError.notFound("no environment with id '\(id.prefix(64))'")
        guard let env = try await store.environment(id: id), includeDeleted || env.deletedAt == nil else { throw notFound }
        do {
            let (_, role) = try await teamAccess(env.teamId, context, needs: needs, includeDeleted: true)
            return (env, role)
        } catch let e as APIError where e.status == .notFound {
            throw notFound
        }
    }

    /// `nil` when `envId` can name an environment in proxy URLs, else why not.
    static func envIdProblem(_ envId: String) -> String? {
        let ok =
            !envId.isEmpty && envId.count <= 64
            && envId.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2E || b == 0x2D
            }
        return ok ? nil : "envId '\(envId.prefix(80))' is not valid: use 1 to 64 characters of A-Z, a-z, 0-9, '_', '.' or '-'"
    }

    private func createEnvironment(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let new = try await body(request, context, as: AdminBodies.NewEnvironment.self)
        if let problem = Self.envIdProblem(new.envId) { throw Self.invalid(problem) }
        let (team, _) = try await teamAccess(new.teamId, context, needs: .admin)
        let requireKey = new.requireKey ?? false
        let allow = try Self.patterns(new.allowUpstreams ?? [])
        let key = requireKey ? SecretToken.generate() : nil
        let env = try await store.createEnvironment(
            envId: new.envId,
            teamID: team.id,
            name: new.name,
            requireKey: requireKey,
            keyHash: key.map(SecretToken.hash),
            allowUpstreams: allow
        )
        await audit(
            context,
            "environment.create",
            "environment",
            env.id,
            team: team.id,
            details: ["envId": env.envId, "requireKey": "\(requireKey)", "allowUpstreams": allow.map(\.description).joined(separator: ", ")]
        )
        return try created(AdminBodies.EnvironmentAnswer(environment: env, ingestKey: key), request, context)
    }

    private func patchEnvironment(_ request: Request, _ context: AppRequestContext) async throws -> AdminBodies.EnvironmentAnswer {
        let (env, _) = try await environmentAccess(context.parameters.get("id") ?? "", context, needs: .admin)
        let patch = try await body(request, context, as: AdminBodies.EnvironmentPatch.self)
        let allow = try patch.allowUpstreams.map(Self.patterns)
        // Turning the key on without one yet makes one (shown once).
        var key: String?
        if patch.requireKey == true, env.keyHash == nil { key = SecretToken.generate() }
        let updated = try await store.updateEnvironment(
            id: env.id,
            name: patch.name,
            requireKey: patch.requireKey,
            keyHash: key.map { .some(SecretToken.hash($0)) },
            allowUpstreams: allow
        )
        var details = ["envId": env.envId]
        if let requireKey = patch.requireKey { details["requireKey"] = "\(env.requireKey) → \(requireKey)" }
        if let name = patch.name { details["name"] = "\(env.name ?? "") → \(name)" }
        if let allow {
            details["allowUpstreams"] =
                "\(env.allowUpstreams.map(\.description).joined(separator: ", ")) → \(allow.map(\.description).joined(separator: ", "))"
        }
        await audit(context, "environment.update", "environment", env.id, team: env.teamId, details: details)
        return AdminBodies.EnvironmentAnswer(environment: updated, ingestKey: key)
    }

    /// An environment's allow list from the request body; a pattern that does not parse is a 400.
    private static func patterns(_ texts: [String]) throws -> [UpstreamPattern] {
        do {
            return try texts.map { text throws(UpstreamPatternError) in try UpstreamPattern(text) }
        } catch {
            throw invalid("allowUpstreams: \(error.message)")
        }
    }
}
