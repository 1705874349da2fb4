import Foundation
import LLMTraceModel

/// Removes secrets before anything is stored, logged or shown.
///
/// Header values of `authorization`, `proxy-authorization`, `x-api-key`, `api-key`, `x-goog-api-key`,
/// `cookie` and `set-cookie`, and the `key` query parameter, become `<redacted:…last4>` (or `<redacted>`
/// when the secret is too short to show any of it safely).
public enum Redactor {
    /// Header names (lower case) whose values are secrets.
    public static let secretHeaders: Set<String> = [
        "authorization", "proxy-authorization", "x-api-key", "api-key", "x-goog-api-key", "cookie", "set-cookie",
    ]

    /// Query parameters whose values are secrets.
    public static let secretQueryParameters: Set<String> = ["key", "api_key", "api-key"]

    /// The redacted form of a secret value: its last four characters at most, and only when it is long
    /// enough that four characters give little away.
    public static func redact(_ value: String) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard trimmed.count >= 16 else { return "<redacted>" }
        return "<redacted:…\(trimmed.suffix(4))>"
    }

    /// Whether a header with this name carries a secret.
    public static func isSecretHeader(_ name: String) -> Bool {
        secretHeaders.contains(name.lowercased())
    }

    /// Headers with every secret value redacted and names lower-cased.
    public static func redact(headers: [HeaderField]) -> [HeaderField] {
        headers.map { h in
            let name = h.name.lowercased()
            return HeaderField(name: name, value: secretHeaders.contains(name) ? redact(h.value) : h.value)
        }
    }

    /// A raw query string with secret parameters redacted; the rest is kept byte for byte.
    public static func redact(query: String) -> String {
        query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            guard let eq = pair.firstIndex(of: "=") else { return String(pair) }
            let name = pair[..<eq].lowercased()
            guard secretQueryParameters.contains(name) else { return String(pair) }
            let value = String(pair[pair.index(after: eq)...]).removingPercentEncoding ?? String(pair[pair.index(after: eq)...])
            let redacted = redact(value).addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "=", "+"]))
            return "\(pair[..<eq])=\(redacted ?? "%3Credacted%3E")"
        }.joined(separator: "&")
    }
}
