/// What went wrong talking to an llmtrace server, in words a user can act on.
public enum ClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case badAddress(String, String)
    case unreachable(String, String)
    case unauthorized(String)
    case http(Int, String)
    case decoding(String)
    case ssh(String)
    /// A shared-mode server and no saved session for it: the server's label and how to sign in.
    case notSignedIn(server: String, signIn: String)
    /// The saved session was spent, expired, revoked or signed out elsewhere.
    case sessionEnded(server: String, signIn: String)
    /// `POST /admin/login` refused the email and password.
    case invalidCredentials
    /// Too many failed sign-ins; wait this many seconds.
    case tooManyAttempts(Int)
    /// The server has no accounts (standalone mode).
    case notSharedMode(String)
    /// The credentials file could not be read or written.
    case credentials(String)
    /// The email or password could not be read.
    case input(String)

    public var description: String {
        switch self {
        case .badAddress(let text, let hint): return "cannot use '\(text)' as a server address: \(hint)"
        case .unreachable(let server, let reason): return "llmtrace server at \(server) is unreachable: \(reason)"
        case .unauthorized(let server): return "the llmtrace server at \(server) needs a password: pass --password (or set LLMTRACE_PASSWORD)"
        case .http(let status, let message): return "server answered \(status): \(message)"
        case .decoding(let detail): return "unexpected answer from the server: \(detail)"
        case .ssh(let message): return "ssh tunnel: \(message)"
        case .notSignedIn(let server, let signIn):
            return "the llmtrace server at \(server) is a team server and you are not signed in to it; sign in with: \(signIn)"
        case .sessionEnded(let server, let signIn): return "your session for \(server) has ended; sign in again with: \(signIn)"
        case .invalidCredentials: return "invalid email or password"
        case .tooManyAttempts(let seconds): return "too many failed sign-ins for this account or address; try again in \(seconds) s"
        case .notSharedMode(let server):
            return
                "the llmtrace server at \(server) is not in shared (team) mode, so it has no accounts to sign in to; if it has a password, pass --password (or set LLMTRACE_PASSWORD) to tui and tail"
        case .credentials(let message): return "credentials: \(message)"
        case .input(let message): return message
        }
    }
}

extension ClientError {
    /// Whether the server answered and refused the caller (a password or a sign-in is missing or
    /// wrong), as opposed to not answering.
    public var isRefusal: Bool {
        switch self {
        case .unauthorized, .notSignedIn, .sessionEnded: return true
        default: return false
        }
    }
}
