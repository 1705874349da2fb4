import Foundation

/// `GET /api/report`: totals per group (model, environment, UTC day or month) over the filtered
/// records, and over all of them: requests, errors, tokens and cost.
public struct Report: Codable, Sendable, Equatable {
    /// The grouping, as asked (`model`, `env`, `day`, `month`).
    public var by: String
    /// The range asked for, when one was.
    public var since: Date?
    public var until: Date?
    /// One row per group: by cost (most first) for models and environments, oldest first for periods.
    public var rows: [Row]
    /// Every record of the report; its `key` is `total`.
    public var totals: Row
    /// Models seen that have no price, so their cost is unknown (counted as 0).
    public var unpricedModels: [String]

    public init(by: String, since: Date?, until: Date?, rows: [Row], totals: Row, unpricedModels: [String]) {
        self.by = by
        self.since = since
        self.until = until
        self.rows = rows
        self.totals = totals
        self.unpricedModels = unpricedModels
    }

    // Every key, `null` included, as the API's other answers.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(by, forKey: .by)
        try c.encode(since, forKey: .since)
        try c.encode(until, forKey: .until)
        try c.encode(rows, forKey: .rows)
        try c.encode(totals, forKey: .totals)
        try c.encode(unpricedModels, forKey: .unpricedModels)
    }

    /// One group's totals.
    public struct Row: Codable, Sendable, Equatable {
        /// The group: a model, an environment, `2026-11-29`, `2026-11`; `total` for the totals.
        public var key: String
        public var requests: Int
        public var errors: Int
        public var inputTokens: Int
        public var outputTokens: Int
        /// Prompt tokens served from the provider's cache (a part of `inputTokens`).
        public var cachedInputTokens: Int
        /// Reasoning tokens (a part of `outputTokens`).
        public var reasoningTokens: Int
        public var totalTokens: Int
        /// Estimated cost in USD (records without a price add nothing).
        public var cost: Double

        public init(
            key: String,
            requests: Int = 0,
            errors: Int = 0,
            inputTokens: Int = 0,
            outputTokens: Int = 0,
            cachedInputTokens: Int = 0,
            reasoningTokens: Int = 0,
            totalTokens: Int = 0,
            cost: Double = 0
        ) {
            self.key = key
            self.requests = requests
            self.errors = errors
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
            self.cachedInputTokens = cachedInputTokens
            self.reasoningTokens = reasoningTokens
            self.totalTokens = totalTokens
            self.cost = cost
        }
    }

    /// The columns of ``csv()``, in order.
    public static let csvColumns = [
        "key", "requests", "errors", "inputTokens", "outputTokens", "cachedInputTokens", "reasoningTokens", "totalTokens", "cost",
    ]

    /// `cost` as a plain decimal for a spreadsheet: no exponent, rounded to 10 decimals (below a
    /// billionth of a dollar is the noise of summing floating-point costs), no trailing zeros.
    static func decimal(_ cost: Double) -> String {
        guard cost.isFinite else { return "" }
        var text = String(format: "%.10f", cost)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// The rows as CSV (RFC 4180, as exports are written), the totals last with the key `total`.
    public func csv() -> String {
        var out = Self.csvColumns.joined(separator: ",") + "\r\n"
        for row in rows + [totals] {
            let cells = [
                ExportWriter.csvCell(row.key), String(row.requests), String(row.errors), String(row.inputTokens), String(row.outputTokens),
                String(row.cachedInputTokens), String(row.reasoningTokens), String(row.totalTokens), Self.decimal(row.cost),
            ]
            out += cells.joined(separator: ",") + "\r\n"
        }
        return out
    }
}
