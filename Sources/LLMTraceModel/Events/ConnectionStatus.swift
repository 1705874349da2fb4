/// How a client's link to the server's live event stream stands: what ``LLMTraceClient`` reports and
/// what the TUI's header and `llmtrace tail` show.
public enum ConnectionStatus: Sendable, Equatable {
    /// Before the first connection is made.
    case connecting
    /// Following the live event stream.
    case live
    /// Lost; trying again. `attempt` counts from 1, `retryInSeconds` is the wait before the next try.
    case reconnecting(reason: String, attempt: Int, retryInSeconds: Double)
    /// Given up (a wrong password, say).
    case offline(reason: String)

    /// The word the header shows.
    public var label: String {
        switch self {
        case .connecting: "connecting"
        case .live: "live"
        case .reconnecting: "reconnecting"
        case .offline: "offline"
        }
    }
}
