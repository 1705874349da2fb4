/// The columns the Stats tables can be sorted by, in the order `s` cycles through them.
public enum StatsColumn: Int, Sendable, Hashable, CaseIterable {
    case name, requests, input, cached, output, reasoning, cost, avgLatency, p95Latency, errors

    public var title: String {
        switch self {
        case .name: "name"
        case .requests: "requests"
        case .input: "input"
        case .cached: "cached"
        case .output: "output"
        case .reasoning: "reasoning"
        case .cost: "cost"
        case .avgLatency: "avg"
        case .p95Latency: "p95"
        case .errors: "errors"
        }
    }

    public var next: StatsColumn { StatsColumn(rawValue: (rawValue + 1) % Self.allCases.count)! }
}

/// How the Stats tables are sorted.
public struct StatsSort: Sendable, Hashable {
    public var column: StatsColumn
    /// Largest first (for `name`: Z to A).
    public var descending: Bool

    public init(column: StatsColumn = .cost, descending: Bool = true) {
        self.column = column
        self.descending = descending
    }
}
