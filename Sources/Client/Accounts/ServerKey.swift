import Foundation

/// Which server a saved session belongs to: the key of its entry in the credentials file, and the
/// command that signs in to it again.
///
/// - `http(s)://host[:port][/path]`: the base URL, normalized: scheme and host in lower case, the
///   default port (80, 443) and a trailing slash dropped. `http://LOCALHOST:80/` and `http://localhost`
///   are one server; `localhost` and `127.0.0.1` are two.
/// - `unix:///path`: the socket's absolute path, standardized.
/// - `ssh://TARGET[/remote/socket]`: the `--ssh` target exactly as given, and `--remote-socket` when one
///   was given. The tunnel's local port changes every run, so it cannot be the key; give the same
///   `--ssh` (and `--remote-socket`) to `login`, `tui`, `tail` and `logout`.
public struct ServerKey: Sendable, Hashable, CustomStringConvertible {
    /// The entry's key in the credentials file.
    public let id: String
    /// How a person names the server in messages (`http://…`, `unix:///…`, `ssh me@host`).
    public let label: String
    /// The command that signs in to this server again.
    public let signInCommand: String

    /// The key of a server reached directly (TCP or a unix socket).
    public init(address: ServerAddress) {
        switch address.kind {
        case .tcp(let base):
            let normalized = Self.normalize(base)
            id = normalized
            label = normalized
            signInCommand = "llmtrace login --server \(normalized)"
        case .unix(let path):
            let standardized = "unix://" + (path as NSString).standardizingPath
            id = standardized
            label = standardized
            signInCommand = "llmtrace login --server \(standardized)"
        }
    }

    /// The key of a server reached through `ssh TARGET`, on the remote's `remoteSocket` when one was named.
    public init(sshTarget: String, remoteSocket: String?) {
        let socket = remoteSocket.map { ($0 as NSString).standardizingPath } ?? ""
        id = "ssh://\(sshTarget)\(socket.hasPrefix("/") || socket.isEmpty ? socket : "/" + socket)"
        label = "ssh \(sshTarget)" + (socket.isEmpty ? "" : " → \(socket)")
        signInCommand = "llmtrace login --ssh \(sshTarget)" + (remoteSocket.map { " --remote-socket \($0)" } ?? "")
    }

    public var description: String { label }

    /// `HTTP://Example.COM:80/base/` → `http://example.com/base`.
    static func normalize(_ base: String) -> String {
        guard var c = URLComponents(string: base), let scheme = c.scheme?.lowercased(), var host = c.host?.lowercased() else {
            return base
        }
        if host.contains(":"), !host.hasPrefix("[") { host = "[\(host)]" }
        var port = ""
        if let p = c.port, !(scheme == "http" && p == 80), !(scheme == "https" && p == 443) { port = ":\(p)" }
        while c.path.hasSuffix("/") { c.path.removeLast() }
        return "\(scheme)://\(host)\(port)\(c.path)"
    }
}
