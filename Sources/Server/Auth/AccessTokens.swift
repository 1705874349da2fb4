import Foundation
import JWTKit

/// Short-lived access tokens: HS256 JWTs naming the user (`sub`), signed with the server's secret.
struct AccessTokens: Sendable {
    /// The claims of an access token.
    struct Payload: JWTPayload {
        var sub: SubjectClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        /// Always `access`: a token of another kind is refused.
        var typ: String

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
            guard typ == "access" else { throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "not an access token") }
        }
    }

    /// The shortest secret accepted (JWTKit's HMAC keys need 32 bytes).
    static let minimumSecretBytes = 32

    let keys: JWTKeyCollection
    /// How long an access token lives: 15 minutes.
    let lifetime: TimeInterval

    /// Fails when `secret` is shorter than ``minimumSecretBytes``.
    init(secret: String, lifetime: TimeInterval = 15 * 60) async throws(ConfigurationError) {
        guard secret.utf8.count >= Self.minimumSecretBytes else {
            throw ConfigurationError(
                "the JWT secret (--jwt-secret, JWT_SECRET or LLMTRACE_JWT_SECRET) has \(secret.utf8.count) bytes; it needs at least \(Self.minimumSecretBytes): generate one with `openssl rand -base64 48`, or give none and llmtrace keeps a generated one in the admin database"
            )
        }
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.lifetime = lifetime
    }

    /// A signed token for `userID`, valid for ``lifetime``.
    func issue(userID: String, now: Date = Date()) async throws -> String {
        try await keys.sign(
            Payload(
                sub: SubjectClaim(value: userID),
                exp: ExpirationClaim(value: now.addingTimeInterval(lifetime)),
                iat: IssuedAtClaim(value: now),
                typ: "access"
            )
        )
    }

    /// The user id of a valid, unexpired token; `nil` otherwise.
    func userID(_ token: String) async -> String? {
        guard let payload = try? await keys.verify(token, as: Payload.self) else { return nil }
        return payload.sub.value
    }
}
