/// Where a key binding works. Several contexts are active at once (see ``KeyMap/activeContexts(for:)``).
public enum KeyContext: String, Sendable, Hashable, CaseIterable {
    /// Anywhere outside text input, confirmation and help.
    case global
    /// The request list has focus (Requests screen).
    case list
    /// The detail pane has focus (Requests screen).
    case detail
    /// The Requests screen, whichever pane has focus.
    case requests
    /// The Stats screen.
    case stats
    /// The Sessions screen's list of sessions.
    case sessions
    /// The Sessions screen's turns of the selected session.
    case turns
    /// Typing a filter.
    case filter
    /// Typing the API key for a replay.
    case replayKey
    /// A replay's two answers side by side.
    case replayResult
    /// A yes/no question is showing.
    case confirm
    /// The help overlay is showing.
    case help

    /// Heading in the help overlay.
    public var title: String {
        switch self {
        case .global: "Everywhere"
        case .list: "Request list"
        case .detail: "Detail pane"
        case .requests: "Requests screen"
        case .stats: "Stats screen"
        case .sessions: "Sessions screen"
        case .turns: "A session's turns"
        case .filter: "Filter input"
        case .replayKey: "Replay: API key input"
        case .replayResult: "Replay result"
        case .confirm: "Confirmation"
        case .help: "Help"
        }
    }
}
