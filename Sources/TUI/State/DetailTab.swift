/// The tabs of the detail pane, in order.
public enum DetailTab: Int, Sendable, Hashable, CaseIterable {
    case overview, conversation, diff, request, response, headers, raw

    public var title: String {
        switch self {
        case .overview: "Overview"
        case .conversation: "Conversation"
        case .diff: "Diff"
        case .request: "Request"
        case .response: "Response"
        case .headers: "Headers"
        case .raw: "Raw"
        }
    }

    /// Whether the tab needs the full record (bodies, headers), not just the summary.
    public var needsRecord: Bool { self != .overview && self != .diff }

    public var next: DetailTab { DetailTab(rawValue: (rawValue + 1) % Self.allCases.count)! }
    public var previous: DetailTab { DetailTab(rawValue: (rawValue + Self.allCases.count - 1) % Self.allCases.count)! }
}
