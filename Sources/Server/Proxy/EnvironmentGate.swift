import Foundation

/// Shared mode's check before forwarding: the environment must be registered and not deleted, and
/// when it requires a key, the request must carry it (`/proxy/{env}:{key}/…` or `x-llmtrace-key`).
struct EnvironmentGate: Sendable {
    let store: any AdminStore

    /// What the gate says about one request.
    enum Verdict: Sendable, Equatable {
        /// Forward, within the environment's own upstream allow list (empty: the server's policy alone).
        case forward(allowUpstreams: [UpstreamPattern])
        case unknownEnvironment
        case invalidKey
        case unavailable(String)
    }

    func check(env: String, key: String?) async -> Verdict {
        let environment: AdminEnvironment?
        do {
            environment = try await store.environment(envId: env)
        } catch {
            return .unavailable("cannot check the environment '\(env)' in the admin database: \(error)")
        }
        guard let environment, environment.deletedAt == nil else { return .unknownEnvironment }
        guard environment.requireKey else { return .forward(allowUpstreams: environment.allowUpstreams) }
        guard let key, let expected = environment.keyHash, SecretToken.equal(SecretToken.hash(key), expected) else { return .invalidKey }
        return .forward(allowUpstreams: environment.allowUpstreams)
    }
}
