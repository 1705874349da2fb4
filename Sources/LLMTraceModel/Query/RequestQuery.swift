import Foundation

/// Which records a list, statistics or timeseries request is about. Every field is optional; set
/// fields must all match.
public struct RequestFilter: Sendable, Equatable {
    public var env: String?
    public var model: String?
    /// An exact status (`200`) or a class (`4xx`), or `error` for every failed exchange.
    public var status: StatusFilter?
    /// Free text matched, case-insensitively, against path, host, model and response text.
    public var text: String?
    public var since: Date?
    public var until: Date?
    /// An expression in the filter language (docs/FILTERS.md), applied on top of the fields above.
    public var expression: FilterExpression?
    /// The environments a caller may see (shared mode: its teams' environments); `nil` for every
    /// environment, an empty set for none. Not a query parameter: the server sets it from the caller.
    public var environments: Set<String>?

    public init(
        env: String? = nil,
        model: String? = nil,
        status: StatusFilter? = nil,
        text: String? = nil,
        since: Date? = nil,
        until: Date? = nil,
        expression: FilterExpression? = nil
    ) {
        self.env = env
        self.model = model
        self.status = status
        self.text = text
        self.since = since
        self.until = until
        self.expression = expression
    }

    /// Whether a summary passes the filter.
    public func matches(_ s: TraceSummary) -> Bool {
        if let env, s.env != env { return false }
        if let environments, !environments.contains(s.env) { return false }
        if let model, s.model != model { return false }
        if let status, !status.matches(s) { return false }
        if let since, s.startedAt < since { return false }
        if let until, s.startedAt >= until { return false }
        if let text, !text.isEmpty {
            let haystacks = [s.path, s.host, s.model ?? "", s.text ?? "", s.error?.message ?? ""]
            if !haystacks.contains(where: { $0.range(of: text, options: .caseInsensitive) != nil }) { return false }
        }
        if let expression, !expression.matches(s) { return false }
        return true
    }
}

/// A status condition: one code, a class of codes, or "failed".
public enum StatusFilter: Sendable, Equatable {
    case code(Int)
    /// `4` for 4xx, `5` for 5xx, …
    case family(Int)
    case error

    /// Parses `200`, `4xx` (or `4XX`) or `error`; `nil` for anything else.
    public init?(_ text: String) {
        let t = text.lowercased()
        if t == "error" || t == "errors" {
            self = .error
            return
        }
        if t.count == 3, t.hasSuffix("xx"), let d = Int(t.prefix(1)), (1...5).contains(d) {
            self = .family(d)
            return
        }
        if let n = Int(t), (100...599).contains(n) {
            self = .code(n)
            return
        }
        return nil
    }

    public func matches(_ s: TraceSummary) -> Bool {
        switch self {
        case .code(let c): return s.status == c
        case .family(let f): return (s.status ?? 0) / 100 == f
        case .error: return s.isError
        }
    }
}

/// A page request: newest first, starting after `cursor` (an id from a previous page's `nextCursor`).
public struct PageRequest: Sendable, Equatable {
    public var limit: Int
    public var cursor: String?

    /// Largest page the API serves.
    public static let maxLimit = 1000

    public init(limit: Int = 100, cursor: String? = nil) {
        self.limit = min(max(limit, 1), Self.maxLimit)
        self.cursor = cursor
    }
}

/// One page of summaries, newest first. `nextCursor` is `nil` on the last page.
public struct Page: Codable, Sendable, Equatable {
    public var items: [TraceSummary]
    public var nextCursor: String?

    public init(items: [TraceSummary], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    /// A page from up to `limit + 1` candidates, newest first: one more than the limit means there is a
    /// next page, which starts after the last item kept.
    public init(candidates: [TraceSummary], limit: Int) {
        if candidates.count > limit {
            let kept = Array(candidates.prefix(limit))
            self.init(items: kept, nextCursor: kept.last?.id)
        } else {
            self.init(items: candidates, nextCursor: nil)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(items, forKey: .items)
        try c.encode(nextCursor, forKey: .nextCursor)
    }
}
