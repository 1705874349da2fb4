import Foundation
import LLMTraceModel

/// A ``Report`` as an aligned text table for a terminal: a header, a row per group, a rule, the
/// totals; numbers right-aligned with thousands separators, costs in dollars.
public struct ReportTable: Sendable {
    public let report: Report
    /// Bold header and totals (ANSI), for a terminal that shows them.
    public var bold: Bool

    public init(_ report: Report, bold: Bool = false) {
        self.report = report
        self.bold = bold
    }

    /// The table, each line ending in a newline; notes (no records, unpriced models) after it.
    public var text: String {
        let keyTitle = ["model": "MODEL", "env": "ENV", "day": "DAY (UTC)", "month": "MONTH (UTC)"][report.by] ?? report.by.uppercased()
        let titles = [keyTitle, "REQUESTS", "ERRORS", "INPUT", "OUTPUT", "CACHED", "REASONING", "TOTAL TOKENS", "COST"]
        let decimals = Self.decimals(for: report.rows.map(\.cost) + [report.totals.cost])
        let body = report.rows.map { cells($0, key: $0.key, decimals: decimals) }
        let totals = cells(report.totals, key: "Total", decimals: decimals)
        let all = [titles] + body + [totals]
        let widths = titles.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        func line(_ row: [String]) -> String {
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }
        let (on, off) = bold ? ("\u{1B}[1m", "\u{1B}[0m") : ("", "")
        var out = on + line(titles) + off + "\n"
        for row in body { out += line(row) + "\n" }
        out += String(repeating: "─", count: widths.reduce(0, +) + 2 * (widths.count - 1)) + "\n"
        out += on + line(totals) + off + "\n"
        if report.rows.isEmpty { out += "No requests in this range.\n" }
        if !report.unpricedModels.isEmpty {
            out += "Cost unknown (no price) for: \(report.unpricedModels.joined(separator: ", ")); see docs/PRICING.md\n"
        }
        return out
    }

    private func cells(_ row: Report.Row, key: String, decimals: Int) -> [String] {
        [
            key,
            NumberText.grouped(row.requests), NumberText.grouped(row.errors), NumberText.grouped(row.inputTokens),
            NumberText.grouped(row.outputTokens),
            NumberText.grouped(row.cachedInputTokens), NumberText.grouped(row.reasoningTokens), NumberText.grouped(row.totalTokens),
            Self.dollars(row.cost, decimals: decimals),
        ]
    }

    /// The decimals a column of `costs` needs: cents, or more so that the smallest cost above zero
    /// keeps two significant digits (`$0.000044`), at most eight.
    public static func decimals(for costs: [Double]) -> Int {
        guard let smallest = costs.filter({ $0 > 0 && $0.isFinite }).min() else { return 2 }
        return min(8, max(2, 1 - Int(log10(smallest).rounded(.down))))
    }

    /// `$1,234.57`: dollars with thousands separators and `decimals` decimals.
    public static func dollars(_ amount: Double, decimals: Int = 2) -> String {
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        let units = Int((abs(amount) * Double(scale)).rounded())
        let fraction = String(units % scale)
        let sign = amount < 0 && units > 0 ? "-$" : "$"
        return sign + NumberText.grouped(units / scale) + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }
}
