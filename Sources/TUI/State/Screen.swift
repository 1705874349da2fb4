/// The screens, by the key that shows them.
public enum Screen: Int, Sendable, Hashable, CaseIterable {
    case requests = 1
    case stats = 2
    case sessions = 3

    public var title: String {
        switch self {
        case .requests: "Requests"
        case .stats: "Stats"
        case .sessions: "Sessions"
        }
    }
}
