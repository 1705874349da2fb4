import Foundation
import HTTPTypes

/// How the forward proxy (`CONNECT host:port` on the server's own port) treats a host: which hosts'
/// HTTPS it decrypts and records, under which env, and whether private addresses may be reached.
public struct ForwardProxySettings: Sendable, Equatable {
    /// The known LLM API hosts, always decrypted and recorded.
    public static let knownHosts = [
        "api.openai.com", "api.anthropic.com", "generativelanguage.googleapis.com", "*.openai.azure.com",
        "*.cognitiveservices.azure.com", "*.services.ai.azure.com", "api.groq.com", "api.together.xyz", "api.together.ai",
        "api.mistral.ai", "api.deepseek.com", "openrouter.ai", "api.x.ai",
    ]

    /// More hosts to decrypt (`--capture-host`): names, or `*.` followed by a domain for its subdomains.
    public var captureHosts: [String] = []
    /// Decrypt every host (`--capture-all`).
    public var captureAll = false
    /// The env of recorded exchanges (`--forward-env`); an `x-llmtrace-env` request header overrides it.
    public var env = "forward"
    /// Whether CONNECT may reach loopback, link-local and private addresses (`--allow-private`).
    public var allowPrivate = false
    /// Where llmtrace's CA lives (`--ca-dir`, `LLMTRACE_CA_DIR`); `nil` for `~/.llmtrace/ca`.
    public var caDirectory: String?

    public init() {}

    /// The request header that names the env of one exchange (stripped before forwarding).
    static let envHeader = HTTPField.Name("x-llmtrace-env")!

    /// Whether `host`'s HTTPS is decrypted and recorded (else tunnelled as it is).
    public func captures(_ host: String) -> Bool {
        if captureAll { return true }
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        return (Self.knownHosts + captureHosts).contains { Self.matches(name, pattern: $0.lowercased()) }
    }

    private static func matches(_ host: String, pattern: String) -> Bool {
        if pattern.hasPrefix("*.") { return host.hasSuffix(pattern.dropFirst()) && host.count > pattern.count - 1 }
        return host == pattern
    }

    /// Blocks CONNECT refuses without `--allow-private`, and what they are.
    static let privateNetworks: [(IPNetwork, String)] = [
        ("127.0.0.0/8", "a loopback address"), ("::1/128", "a loopback address"), ("0.0.0.0/8", "an unspecified address"),
        ("::/128", "an unspecified address"), ("169.254.0.0/16", "a link-local address"), ("fe80::/10", "a link-local address"),
        ("10.0.0.0/8", "a private address"), ("172.16.0.0/12", "a private address"), ("192.168.0.0/16", "a private address"),
        ("100.64.0.0/10", "a shared (CGNAT) address"), ("fc00::/7", "a private address"),
    ].compactMap { text, what in IPNetwork(text).map { ($0, what) } }

    /// Why CONNECT may not reach `address`, or `nil` when it may.
    func refusal(of address: IPAddress, target: String) -> String? {
        guard !allowPrivate, let (_, what) = Self.privateNetworks.first(where: { $0.0.contains(address) }) else { return nil }
        return "\(target) is \(what) (\(address)); the forward proxy reaches the host's own and private addresses only with --allow-private"
    }
}
