import Foundation
import Testing

@testable import Server

/// Shared mode's building blocks: access tokens, the login throttle, password rules, secret hashing.
@Suite struct AuthTests {
    @Test func accessTokensNameTheirUserAndExpire() async throws {
        await #expect(throws: ConfigurationError.self) { _ = try await AccessTokens(secret: "too short") }
        let tokens = try await AccessTokens(secret: String(repeating: "s", count: 32))
        let token = try await tokens.issue(userID: "u1")
        #expect(await tokens.userID(token) == "u1")
        let old = try await tokens.issue(userID: "u1", now: Date().addingTimeInterval(-16 * 60))
        #expect(await tokens.userID(old) == nil)
        let other = try await AccessTokens(secret: String(repeating: "t", count: 32))
        #expect(await other.userID(token) == nil)
        #expect(await tokens.userID(token + "x") == nil)
    }

    @Test func theThrottleCountsFailuresPerEmailAndPerAddress() {
        let throttle = LoginThrottle(maxFailures: 3, maxFailuresPerAddress: 4, window: 60)
        let now = Date()
        for _ in 0..<3 { throttle.recordFailure(email: "A@x.io", address: "10.0.0.1", now: now) }
        // The email is locked; the address (4 allowed) not yet.
        #expect(throttle.retryAfter(email: "b@x.io", address: "10.0.0.1", now: now) == nil)
        throttle.recordFailure(email: "d@x.io", address: "10.0.0.1", now: now)
        // The email is locked from any address, the address for any email.
        #expect(throttle.retryAfter(email: "a@x.io", address: "10.0.0.9", now: now.addingTimeInterval(10)) == 50)
        #expect(throttle.retryAfter(email: "b@x.io", address: "10.0.0.1", now: now) == 60)
        #expect(throttle.retryAfter(email: "b@x.io", address: "10.0.0.2", now: now) == nil)
        // Failures leave the window; a success clears the email's count (not the address's).
        #expect(throttle.retryAfter(email: "a@x.io", address: "10.0.0.9", now: now.addingTimeInterval(61)) == nil)
        for _ in 0..<3 { throttle.recordFailure(email: "c@x.io", address: nil, now: now) }
        throttle.recordSuccess(email: "c@x.io")
        #expect(throttle.retryAfter(email: "c@x.io", address: nil, now: now) == nil)
    }

    @Test func passwordsAndSecrets() async throws {
        #expect(PasswordHasher.problem("short") != nil)
        #expect(PasswordHasher.problem(String(repeating: "x", count: 73)) != nil)
        #expect(PasswordHasher.problem("long enough") == nil)
        let hasher = PasswordHasher(cost: 4)
        let hash = try await hasher.hash("correct horse")
        #expect(!hash.contains("correct horse"))
        #expect(try await hasher.verify("correct horse", hash: hash))
        #expect(try await !hasher.verify("wrong horse", hash: hash))
        #expect(try await !hasher.verify("correct horse", hash: nil))
        let a = SecretToken.generate()
        #expect(a.count == 43 && a != SecretToken.generate())
        #expect(SecretToken.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
