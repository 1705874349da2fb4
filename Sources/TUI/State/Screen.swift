/// The two screens.
public enum Screen: Int, Sendable, Hashable, CaseIterable {
    case requests = 1
    case stats = 2

    public var title: String {
        switch self {
        case .requests: "Requests"
        case .stats: "Stats"
        }
    }
}
