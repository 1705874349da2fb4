import Foundation
import LLMTraceModel
import Testing

@testable import llmtrace

/// How `tail` prints the live stream's budget alerts.
@Suite struct TailAlertOutputTests {
    static let alert = BudgetAlert(
        rule: BudgetRule(id: "r1", scope: .team, scopeId: "t1", window: .day, limitUsd: 10),
        teamId: "t1",
        envId: nil,
        spentUsd: 12.4,
        windowStart: Date(timeIntervalSince1970: 1_795_910_400),
        at: Date(timeIntervalSince1970: 1_795_953_790),
        message: "team alpha spent $12.40 today, over its $10.00 daily budget"
    )

    @Test func aTextLineSaysItIsABudgetAlert() {
        let line = TailPrinter.alertLine(Self.alert)
        #expect(line.hasSuffix("  ⚠ budget alert: team alpha spent $12.40 today, over its $10.00 daily budget"), "\(line)")
        #expect(line.range(of: #"^\d\d:\d\d:\d\d  "#, options: .regularExpression) != nil, "\(line)")
    }

    @Test func theEventDecodesAsTheAlertTheJSONLineCarries() throws {
        let json = String(decoding: try JSONCoding.makeEncoder().encode(Self.alert), as: UTF8.self)
        let event = LiveEvent(id: 7, kind: .alert, json: json)
        guard case .alert(let decoded) = try event.payload() else {
            Issue.record("not an alert")
            return
        }
        #expect(decoded.message == Self.alert.message && !json.contains("\n"))
    }
}
