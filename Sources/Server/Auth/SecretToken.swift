import Crypto
import Foundation

/// Random secrets (refresh tokens, invite tokens, ingest keys, the generated JWT secret) and the
/// SHA-256 hashes they are stored as.
enum SecretToken {
    /// `bytes` random bytes as base64url without padding (43 characters for 32 bytes).
    static func generate(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let data = Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) })
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The SHA-256 of `text`, lowercase hex.
    static func hash(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Compares two hex hashes without stopping at the first difference.
    static func equal(_ a: String, _ b: String) -> Bool {
        PasswordMiddleware<AppRequestContext>.constantTimeEqual(a, b)
    }
}
