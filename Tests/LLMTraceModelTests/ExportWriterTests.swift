import Foundation
import Testing

@testable import LLMTraceModel

/// CSV cells as spreadsheets read them, JSON and JSON Lines that parse, columns chosen by name.
@Suite struct ExportWriterTests {
    static func record(text: String?, model: String = "gpt-4o", cost: Double? = 0.0125, env: String = "dev") -> TraceRecord {
        var s = TraceSummary(
            id: "01a2-0001",
            env: env,
            method: "POST",
            scheme: "https",
            host: "api.openai.com",
            path: "/v1/chat/completions",
            startedAt: Date(timeIntervalSince1970: 1_795_000_000.5)
        )
        s.model = model
        s.status = 200
        s.text = text
        s.estimatedCost = cost
        s.usage = Usage(inputTokens: 12, outputTokens: 3, totalTokens: 15)
        let body = #"{"ok":true}"#
        return TraceRecord(summary: s, responseBody: CapturedBody(content: body, encoding: .utf8, size: body.utf8.count, truncated: false))
    }

    @Test func csvQuotesWhatNeedsItAndGuardsFormulas() throws {
        var writer = ExportWriter(format: .csv, fields: try ExportField.parse("id,model,cost,inputTokens,text", withBodies: false))
        #expect(writer.header() == "id,model,cost,inputTokens,text\r\n")
        #expect(writer.row(Self.record(text: "plain")) == "01a2-0001,gpt-4o,0.0125,12,plain\r\n")
        #expect(writer.row(Self.record(text: "a, \"b\"\nc")) == "01a2-0001,gpt-4o,0.0125,12,\"a, \"\"b\"\"\nc\"\r\n")
        // A CRLF (one Character in Swift) and a lone CR are line breaks too.
        #expect(writer.row(Self.record(text: "a\r\nb")) == "01a2-0001,gpt-4o,0.0125,12,\"a\r\nb\"\r\n")
        #expect(writer.row(Self.record(text: "a\rb")) == "01a2-0001,gpt-4o,0.0125,12,\"a\rb\"\r\n")
        for formula in ["=SUM(A1:A9)", "+1", "-2+3", "@cmd", "\tx"] {
            #expect(writer.row(Self.record(text: formula)).hasSuffix(",'\(formula)\r\n"), "\(formula)")
        }
        #expect(writer.row(Self.record(text: nil, cost: nil)) == "01a2-0001,gpt-4o,,12,\r\n")
        #expect(writer.footer().isEmpty)
    }

    @Test func jsonAndJSONLinesParseAndKeepTheFieldOrder() throws {
        let fields = try ExportField.parse("text,id,startedAt,stream,cost,responseBody", withBodies: true)
        var json = ExportWriter(format: .json, fields: fields)
        let text = json.header() + json.row(Self.record(text: "é \"q\" 👋")) + json.row(Self.record(text: nil)) + json.footer()
        let array = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        #expect(array.count == 2)
        #expect(array[0]["text"] as? String == "é \"q\" 👋" && array[1]["text"] is NSNull)
        #expect(array[0]["startedAt"] as? String == "2026-11-18T11:06:40.500Z")
        #expect(array[0]["stream"] as? Bool == false && array[0]["cost"] as? Double == 0.0125)
        #expect(array[0]["responseBody"] as? String == #"{"ok":true}"#)
        #expect(text.contains(#"{"text":"é \"q\" 👋","id":"01a2-0001","#), "keys in the asked order: \(text)")

        let empty = ExportWriter(format: .json, fields: fields)
        #expect(try JSONSerialization.jsonObject(with: Data((empty.header() + empty.footer()).utf8)) as? [Any] != nil)

        var lines = ExportWriter(format: .jsonl, fields: ExportField.standard)
        let out = lines.header() + lines.row(Self.record(text: "a\nb")) + lines.row(Self.record(text: "c")) + lines.footer()
        let parsed = try out.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(parsed.count == 2 && parsed[0]?["text"] as? String == "a\nb" && parsed[1]?["totalTokens"] as? Int == 15)
    }

    @Test func fieldsAreCheckedByName() throws {
        #expect(try ExportField.parse(nil, withBodies: false) == ExportField.standard)
        #expect(try ExportField.parse("", withBodies: true) == ExportField.standard + ExportField.bodies)
        #expect(try ExportField.parse(" Model , COST", withBodies: false).map(\.name) == ["model", "cost"])
        #expect(throws: ExportError.self) { try ExportField.parse("model,nope", withBodies: false) }
        #expect {
            try ExportField.parse("requestBody", withBodies: false)
        } throws: { "\($0)".contains("--with-bodies") }
    }
}
