import Foundation
import Testing

@testable import Client
@testable import LLMTraceModel

/// Building a replay from a record: the route, the key in the place the original had it, another model,
/// llmtrace's and redacted headers left out, and a truncated body refused.
@Suite struct ReplayRequestTests {
    static func record(
        provider: String?,
        host: String = "api.openai.com",
        path: String = "/v1/chat/completions",
        query: String? = nil,
        headers: [HeaderField],
        body: String = #"{"model":"gpt-4o","messages":[]}"#,
        truncated: Bool = false
    ) -> TraceRecord {
        let s = TraceSummary(
            id: "0192f3a1c2d4-00a3f1b2",
            env: "dev",
            method: "POST",
            scheme: "https",
            host: host,
            path: path,
            query: query,
            provider: provider,
            startedAt: Date()
        )
        let bytes = Array(body.utf8)
        return TraceRecord(
            summary: s,
            requestHeaders: headers,
            requestBody: CapturedBody(bytes: bytes, size: truncated ? bytes.count * 2 : bytes.count, truncated: truncated)
        )
    }

    @Test func theKeyGoesWhereTheOriginalHadIt() throws {
        let openai = Self.record(
            provider: "openai",
            headers: [
                HeaderField(name: "authorization", value: "<redacted:…abcd>"), HeaderField(name: "content-type", value: "application/json"),
                HeaderField(name: "x-llmtrace-session", value: "s"), HeaderField(name: "content-length", value: "30"),
            ]
        )
        let r = try ReplayRequest(record: openai, key: "sk-new")
        #expect(r.pathAndQuery == "/proxy/dev/https/api.openai.com/v1/chat/completions")
        #expect(
            r.headers == [
                HeaderField(name: "content-type", value: "application/json"), HeaderField(name: "authorization", value: "Bearer sk-new"),
                HeaderField(name: "x-llmtrace-replay-of", value: "0192f3a1c2d4-00a3f1b2"),
            ]
        )
        let anthropic = Self.record(
            provider: "anthropic",
            host: "api.anthropic.com",
            path: "/v1/messages",
            headers: [HeaderField(name: "x-api-key", value: "<redacted>")]
        )
        #expect(try ReplayRequest(record: anthropic, key: "k").headers.contains(HeaderField(name: "x-api-key", value: "k")))
        // Gemini's key in the query: replaced there; the model in the path.
        let gemini = Self.record(
            provider: "gemini",
            host: "generativelanguage.googleapis.com",
            path: "/v1beta/models/gemini-2.0-flash:generateContent",
            query: "alt=sse&key=%3Credacted%3E",
            headers: [],
            body: #"{"contents":[]}"#
        )
        let g = try ReplayRequest(record: gemini, key: "AIza new", model: "gemini-2.5-pro")
        #expect(
            g.pathAndQuery == "/proxy/dev/https/generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:generateContent?alt=sse&key=AIza%20new"
        )
        #expect(g.body == Array(#"{"contents":[]}"#.utf8))
        #expect(ReplayRequest.keyVariable(provider: gemini.summary.provider) == "GEMINI_API_KEY")
    }

    @Test func anotherModelChangesTheBody() throws {
        let r = try ReplayRequest(record: Self.record(provider: "openai", headers: []), key: nil, model: "gpt-4o-mini")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])
        #expect(object["model"] as? String == "gpt-4o-mini")
        #expect(!r.headers.contains { $0.name == "authorization" })
    }

    @Test func aTruncatedBodyOrABrokenRouteIsRefused() {
        #expect(throws: ReplayError.self) { try ReplayRequest(record: Self.record(provider: "openai", headers: [], truncated: true), key: "k") }
        var bad = Self.record(provider: nil, headers: [])
        bad.summary.host = ""
        #expect(throws: ReplayError.self) { try ReplayRequest(record: bad, key: "k") }
        #expect(throws: ReplayError.self) {
            try ReplayRequest(record: Self.record(provider: "openai", headers: [], body: "not json"), key: "k", model: "m")
        }
    }

    @Test func sideBySideShowsBothAnswers() {
        var a = TraceSummary(
            id: "a",
            env: "dev",
            method: "POST",
            scheme: "https",
            host: "h",
            path: "/",
            model: "gpt-4o",
            status: 200,
            startedAt: Date()
        )
        a.text = "The answer is forty-two, as everyone knows."
        var b = a
        b.id = "b"
        b.model = "gpt-4o-mini"
        b.text = "42"
        let text = ReplayComparison.render(Replayer.Outcome(original: a, replay: b), width: 50)
        let lines = text.split(separator: "\n")
        #expect(lines.allSatisfy { $0.count <= 50 })
        #expect(lines[0].hasPrefix("original") && lines[0].contains("│ replay"))
        #expect(text.contains("model   gpt-4o ") && text.contains("model   gpt-4o-mini"))
        #expect(text.contains("The answer is") && text.contains("forty-two, as everyone") && text.contains("│ 42"))
    }
}
