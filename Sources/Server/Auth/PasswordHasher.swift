import HummingbirdBcrypt
import NIOPosix

/// bcrypt through hummingbird-auth's `HummingbirdBcrypt`, run on NIO's blocking thread pool (a hash
/// at cost 12 takes a quarter of a second, which must not stall the event loops or Swift's pool).
struct PasswordHasher: Sendable {
    /// The bcrypt cost: 12 in production; tests lower it.
    let cost: UInt8

    init(cost: UInt8 = 12) {
        self.cost = cost
    }

    /// The shortest password accepted.
    static let minimumLength = 8

    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches `hash`. With no hash (an unknown account) a dummy hash is checked,
    /// so an unknown email takes as long as a wrong password.
    func verify(_ password: String, hash: String?) async throws -> Bool {
        let dummy = Self.dummyHash
        return try await NIOThreadPool.singleton.runIfActive {
            let ok = Bcrypt.verify(password, hash: hash ?? dummy)
            return ok && hash != nil
        }
    }

    /// A bcrypt hash of a random password, for the timing of unknown accounts.
    private static let dummyHash: String = Bcrypt.hash(SecretToken.generate(), cost: 12)

    /// `nil` when `password` is acceptable, else why not.
    static func problem(_ password: String) -> String? {
        if password.count < minimumLength { return "the password must have at least \(minimumLength) characters" }
        if password.utf8.count > 72 { return "the password must have at most 72 bytes (bcrypt's limit)" }
        return nil
    }
}
