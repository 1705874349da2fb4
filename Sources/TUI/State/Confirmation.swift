/// A yes/no question waiting for an answer.
public enum Confirmation: Sendable, Hashable {
    case clearAll

    public var prompt: String {
        switch self {
        case .clearAll: "Clear all records? y/n"
        }
    }
}
