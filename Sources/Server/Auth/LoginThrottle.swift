import Foundation
import Synchronization

/// Slows down password guessing: after ``maxFailures`` failed logins within ``window`` for one email,
/// or ``maxFailuresPerAddress`` from one client address, further attempts are refused (429 with
/// `Retry-After`) until the oldest failure leaves the window. A successful login clears the email's
/// failures. The address allows more, since many people may sign in through one proxy or NAT.
final class LoginThrottle: Sendable {
    let maxFailures: Int
    let maxFailuresPerAddress: Int
    let window: TimeInterval
    private let failures = Mutex<[String: [Date]]>([:])

    init(maxFailures: Int = 5, maxFailuresPerAddress: Int = 20, window: TimeInterval = 15 * 60) {
        self.maxFailures = maxFailures
        self.maxFailuresPerAddress = maxFailuresPerAddress
        self.window = window
    }

    private static func keys(email: String, address: String?) -> [String] {
        ["email:" + email.lowercased()] + (address.map { ["address:" + $0] } ?? [])
    }

    /// Seconds to wait before trying again, or `nil` when an attempt may be made now.
    func retryAfter(email: String, address: String?, now: Date = Date()) -> Int? {
        failures.withLock { table in
            var wait: TimeInterval = 0
            for key in Self.keys(email: email, address: address) {
                let recent = (table[key] ?? []).filter { now.timeIntervalSince($0) < window }
                table[key] = recent.isEmpty ? nil : recent
                let limit = key.hasPrefix("address:") ? maxFailuresPerAddress : maxFailures
                if recent.count >= limit, let oldest = recent.suffix(limit).first {
                    wait = max(wait, window - now.timeIntervalSince(oldest))
                }
            }
            return wait > 0 ? max(1, Int(wait.rounded(.up))) : nil
        }
    }

    func recordFailure(email: String, address: String?, now: Date = Date()) {
        failures.withLock { table in
            for key in Self.keys(email: email, address: address) { table[key, default: []].append(now) }
            // Bounded: the oldest keys go first when an attacker sprays addresses or emails.
            if table.count > 100_000 { table.removeAll() }
        }
    }

    func recordSuccess(email: String) {
        failures.withLock { table in table["email:" + email.lowercased()] = nil }
    }
}
