/// How the inspector's link to the server stands, as the header shows it.
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
