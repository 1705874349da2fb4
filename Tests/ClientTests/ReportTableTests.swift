import Client
import LLMTraceModel
import Testing

@Suite struct ReportTableTests {
    @Test func aTableIsAlignedWithSeparatorsDollarsAndTotals() {
        let report = Report(
            by: "model",
            since: nil,
            until: nil,
            rows: [
                Report.Row(
                    key: "gpt-4o-2024-08-06",
                    requests: 1_234,
                    errors: 5,
                    inputTokens: 1_234_567,
                    outputTokens: 89_012,
                    totalTokens: 1_323_579,
                    cost: 1_234.56789
                ),
                Report.Row(
                    key: "mini",
                    requests: 7,
                    inputTokens: 70,
                    outputTokens: 7,
                    cachedInputTokens: 35,
                    reasoningTokens: 2,
                    totalTokens: 77,
                    cost: 0.00005
                ),
            ],
            totals: Report.Row(
                key: "total",
                requests: 1_241,
                errors: 5,
                inputTokens: 1_234_637,
                outputTokens: 89_019,
                cachedInputTokens: 35,
                reasoningTokens: 2,
                totalTokens: 1_323_656,
                cost: 1_234.56794
            ),
            unpricedModels: ["mystery"]
        )
        let lines = ReportTable(report).text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].hasPrefix("MODEL              REQUESTS  ERRORS"))
        #expect(lines[1] == "gpt-4o-2024-08-06     1,234       5  1,234,567  89,012       0          0     1,323,579  $1,234.567890")
        #expect(lines[2] == "mini                      7       0         70       7      35          2            77      $0.000050")
        #expect(lines[3] == String(repeating: "─", count: lines[1].count))
        #expect(lines[4] == "Total                 1,241       5  1,234,637  89,019      35          2     1,323,656  $1,234.567940")
        #expect(lines[5] == "Cost unknown (no price) for: mystery; see docs/PRICING.md")
        #expect(Set(lines[0...4].map(\.count)).count == 1)
        // Cents, or enough decimals for the smallest cost to keep two significant digits, for the whole column.
        #expect(ReportTable.decimals(for: [41.77, 9.35, 0]) == 2 && ReportTable.decimals(for: [0.0123]) == 3 && ReportTable.decimals(for: []) == 2)
        #expect(ReportTable.decimals(for: [0.000_044, 12]) == 6 && ReportTable.decimals(for: [1e-15]) == 8)
        #expect(
            ReportTable.dollars(0) == "$0.00" && ReportTable.dollars(0.000_044, decimals: 6) == "$0.000044" && ReportTable.dollars(-2.5) == "-$2.50"
        )
        #expect(NumberText.grouped(-1_000) == "-1,000")
    }
}
