import Client
import Foundation
import LLMTraceModel
import Testing

/// `llmtrace report` and `GET /api/report` against the real binary: records seeded over four UTC days
/// in two months, plus traffic proxied just now, grouped every way and checked against sums worked out
/// here from the same records (with the calendar, not the server's day arithmetic), and against
/// `/api/stats`.
@Suite struct ReportEndToEndTests {
    /// The start of the UTC day 60 days ago; 3 000 records 97 s apart fill that day and the next three.
    static let start = Date(timeIntervalSince1970: ((Date().timeIntervalSince1970 - 60 * 86_400) / 86_400).rounded(.down) * 86_400)
    static let count = 3_000

    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }

    static func day(_ date: Date) -> String {
        let c = utc(date, [.year, .month, .day])
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    static func month(_ date: Date) -> String {
        let c = utc(date, [.year, .month])
        return String(format: "%04d-%02d", c.year ?? 0, c.month ?? 0)
    }

    /// What the report must say for `records`, grouped by `key`.
    static func expected(_ records: [TraceRecord], key: (TraceSummary) -> String) -> [String: Report.Row] {
        var rows: [String: Report.Row] = [:]
        for r in records.map(\.summary) {
            let k = key(r)
            var row = rows[k] ?? Report.Row(key: k)
            row.requests += 1
            row.errors += r.isError ? 1 : 0
            row.inputTokens += r.usage.inputTokens ?? 0
            row.outputTokens += r.usage.outputTokens ?? 0
            row.cachedInputTokens += r.usage.cachedInputTokens ?? 0
            row.reasoningTokens += r.usage.reasoningTokens ?? 0
            row.totalTokens += r.usage.totalTokens ?? ((r.usage.inputTokens ?? 0) + (r.usage.outputTokens ?? 0))
            row.cost += r.estimatedCost ?? 0
            rows[k] = row
        }
        return rows
    }

    static func utc(_ date: Date, _ components: Set<Calendar.Component>) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.dateComponents(components, from: date)
    }

    static func same(_ a: Report.Row, _ b: Report.Row) -> Bool {
        var x = a
        x.cost = b.cost
        return x == b && abs(a.cost - b.cost) < 1e-9
    }

    @Test func theReportAgreesWithTheRecordsEveryWay() async throws {
        let records = (0..<Self.count).map { SeededStore.record($0, start: Self.start, spacing: 97) }
        try await withTempDatabase { db, _ in
            try await SeededStore.seed(db, count: Self.count, start: Self.start, spacing: 97)
            try await withFakeUpstream { upstream in
                try await withLLMTrace(["--db", db]) { server in
                    let since = Self.iso(Self.start.addingTimeInterval(-86_400))
                    let until = Self.iso(Self.start.addingTimeInterval(10 * 86_400))
                    func report(_ arguments: [String]) async throws -> Report {
                        let (status, output) = try await LLMTraceProcess.runToEnd(["report", "--server", server.url, "--format", "json"] + arguments)
                        #expect(status == 0, "\(output)")
                        return try JSONCoding.makeDecoder().decode(Report.self, from: Data(output.utf8))
                    }
                    let groupings: [(String, (TraceSummary) -> String)] = [
                        ("model", { $0.model ?? "unknown" }),
                        ("env", { $0.env }),
                        ("day", { Self.day($0.startedAt) }),
                        ("month", { Self.month($0.startedAt) }),
                    ]
                    for (by, key) in groupings {
                        let got = try await report(["--by", by, "--since", since, "--until", until])
                        let want = Self.expected(records, key: key)
                        #expect(got.by == by)
                        #expect(Set(got.rows.map(\.key)) == Set(want.keys), "\(by)")
                        for row in got.rows {
                            #expect(
                                Self.same(row, want[row.key] ?? Report.Row(key: "")),
                                "\(by) \(row.key): \(row) vs \(String(describing: want[row.key]))"
                            )
                        }
                        #expect(Self.same(got.totals, Self.expected(records, key: { _ in "total" })["total"] ?? Report.Row(key: "")))
                        if by == "day" || by == "month" { #expect(got.rows.map(\.key) == got.rows.map(\.key).sorted()) }
                    }
                    let days = try await report(["--by", "day", "--since", since, "--until", until])
                    #expect(days.rows.map(\.key) == (0..<4).map { Self.day(Self.start.addingTimeInterval(Double($0) * 86_400)) })

                    // --env and a time range narrow it; the totals equal /api/stats' for the same filter.
                    let (from, to) = (Self.start.addingTimeInterval(86_400), Self.start.addingTimeInterval(2 * 86_400))
                    let prod = try await report(["--by", "model", "--env", "prod", "--since", Self.iso(from), "--until", Self.iso(to)])
                    let inRange = records.filter { $0.summary.env == "prod" && $0.summary.startedAt >= from && $0.summary.startedAt < to }
                    #expect(prod.totals.requests == inRange.count && prod.totals.requests > 0)
                    #expect(Self.same(prod.totals, Self.expected(inRange, key: { _ in "total" })["total"] ?? Report.Row(key: "")))
                    let stats = try await HTTP.send("\(server.url)/api/stats?env=prod&since=\(Self.iso(from))&until=\(Self.iso(to))").json()
                    #expect(stats["totalRequests"] as? Int == prod.totals.requests)
                    #expect(stats["totalTokens"] as? Int == prod.totals.totalTokens)
                    #expect(stats["errors"] as? Int == prod.totals.errors)
                    #expect(abs((stats["estimatedCost"] as? Double ?? -1) - prod.totals.cost) < 1e-9)

                    // Traffic proxied now is in the default range (the last 30 days), with the upstream's usage.
                    for _ in 0..<2 {
                        let reply = try await HTTP.send(
                            "\(upstream.route(via: server.url, env: "live"))/v1/chat/completions",
                            method: .POST,
                            headers: [("content-type", "application/json")],
                            body: Array(#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#.utf8)
                        )
                        #expect(reply.status == 200)
                    }
                    _ = try await HTTP.eventually("\(server.url)/api/stats?env=live") { $0["totalRequests"] as? Int == 2 }
                    let live = try await report(["--by", "env"])
                    let liveStats = try await HTTP.send("\(server.url)/api/stats?since=30d").json()
                    #expect(live.rows.map(\.key) == ["live"] && live.totals.requests == 2)
                    #expect(live.totals.inputTokens == liveStats["totalPromptTokens"] as? Int && live.totals.inputTokens > 0)
                    #expect(live.totals.outputTokens == liveStats["totalCompletionTokens"] as? Int)
                    #expect(live.totals.cost > 0 && abs((liveStats["estimatedCost"] as? Double ?? -1) - live.totals.cost) < 1e-12)

                    // The table and CSV say the same; bad groupings are refused with the choices.
                    let (tableStatus, table) = try await LLMTraceProcess.runToEnd([
                        "report", "--server", server.url, "--by", "month", "--since", since,
                    ])
                    #expect(tableStatus == 0, "\(table)")
                    let lines = table.split(separator: "\n").map(String.init)
                    #expect(lines.first?.hasPrefix("MONTH (UTC)") == true && lines.contains { $0.hasPrefix(Self.month(Self.start) + " ") })
                    #expect(Set(lines.filter { !$0.hasPrefix("─") }.map(\.count)).count == 1, "\(table)")
                    let months = try await report(["--by", "month", "--since", since])
                    let total = NumberText.grouped(months.totals.requests)
                    let decimals = ReportTable.decimals(for: months.rows.map(\.cost) + [months.totals.cost])
                    let totalLine = try #require(lines.first { $0.hasPrefix("Total ") }, "\(table)")
                    #expect(
                        totalLine.contains(" \(total) ") && totalLine.hasSuffix(ReportTable.dollars(months.totals.cost, decimals: decimals)),
                        "\(table)"
                    )
                    let (csvStatus, csv) = try await LLMTraceProcess.runToEnd([
                        "report", "--server", server.url, "--by", "month", "--since", since, "--format", "csv",
                    ])
                    #expect(csvStatus == 0 && csv == months.csv(), "\(csv)")

                    let (badStatus, bad) = try await LLMTraceProcess.runToEnd(["report", "--server", server.url, "--by", "week"])
                    #expect(badStatus != 0 && bad.contains("model, env, day, month or session"), "\(bad)")
                    let api = try await HTTP.send("\(server.url)/api/report?by=week")
                    #expect(api.status == 400 && api.text.contains("model, env, day, month or session"), "\(api.text)")
                }
            }
        }
    }
}
