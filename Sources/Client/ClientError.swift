/// What went wrong talking to an llmtrace server, in words a user can act on.
public enum ClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case badAddress(String, String)
    case unreachable(String, String)
    case unauthorized(String)
    case http(Int, String)
    case decoding(String)
    case ssh(String)

    public var description: String {
        switch self {
        case .badAddress(let text, let hint): return "cannot use '\(text)' as a server address: \(hint)"
        case .unreachable(let server, let reason): return "llmtrace server at \(server) is unreachable: \(reason)"
        case .unauthorized(let server): return "the llmtrace server at \(server) needs a password: pass --password (or set LLMTRACE_PASSWORD)"
        case .http(let status, let message): return "server answered \(status): \(message)"
        case .decoding(let detail): return "unexpected answer from the server: \(detail)"
        case .ssh(let message): return "ssh tunnel: \(message)"
        }
    }
}
