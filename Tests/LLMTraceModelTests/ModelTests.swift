import Foundation
import Testing

@testable import LLMTraceModel

@Suite struct ModelTests {
    @Test func recordIDsIncreaseStrictly() {
        let g = RecordIDGenerator()
        let now = Date()
        var last = ""
        for i in 0..<10_000 {
            let id = g.next(now: i % 3 == 0 ? now : now.addingTimeInterval(Double(i) / 1000))
            #expect(id > last)
            last = id
        }
        #expect(last.count == 21)
    }

    @Test func capturedBodyKeepsTextAndBase64sBinary() {
        let text = CapturedBody(bytes: Array("héllo".utf8), size: 6, truncated: false)
        #expect(text.encoding == .utf8)
        #expect(text.text == "héllo")
        let binary = CapturedBody(bytes: [0xff, 0x00, 0xfe], size: 3, truncated: false)
        #expect(binary.encoding == .base64)
        #expect(binary.bytes == [0xff, 0x00, 0xfe])
    }

    @Test func truncatedBodyDropsACutMultibyteCharacter() {
        let bytes = Array("ab€".utf8)  // € is 3 bytes
        let cut = Array(bytes.prefix(4))
        let body = CapturedBody(bytes: cut, size: bytes.count, truncated: true)
        #expect(body.encoding == .utf8)
        #expect(body.content == "ab")
        #expect(body.truncated)
    }

    @Test func recordRoundTripsThroughJSONFlat() throws {
        var s = TraceSummary(
            id: "x",
            env: "dev",
            method: "POST",
            scheme: "https",
            host: "api.openai.com",
            path: "/v1/chat/completions",
            startedAt: Date(timeIntervalSince1970: 1_795_000_000.125)
        )
        s.usage = Usage(inputTokens: 10, outputTokens: 5, totalTokens: 15)
        s.toolCalls = [ToolCall(id: "c1", name: "f", arguments: "{}")]
        let record = TraceRecord(
            summary: s,
            requestHeaders: [HeaderField(name: "a", value: "b")],
            requestBody: CapturedBody(bytes: Array("{}".utf8), size: 2, truncated: false)
        )
        let data = try JSONCoding.makeEncoder().encode(record)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["id"] as? String == "x")
        #expect(object["startedAt"] as? String == "2026-11-18T11:06:40.125Z")
        #expect(object["requestHeaders"] != nil)
        #expect((object["usage"] as? [String: Any])?["cachedInputTokens"] is NSNull)
        #expect(object["responseBody"] is NSNull)
        let back = try JSONCoding.makeDecoder().decode(TraceRecord.self, from: data)
        #expect(back == record)
    }

    @Test func newFieldsEncodeAndOlderJSONStillDecodes() throws {
        var s = TraceSummary(
            id: "y",
            env: "dev",
            method: "POST",
            scheme: "https",
            host: "h",
            path: "/",
            startedAt: Date(timeIntervalSince1970: 1_795_000_000)
        )
        s.model = "gpt-4o"
        s.modelSource = "deployment"
        s.toolCalls = [ToolCall(id: "srvtoolu_1", name: "web_search", arguments: "{}", type: "server_tool_use", output: "[]")]
        let record = TraceRecord(
            summary: s,
            choices: [Choice(index: 0, text: "a", finishReason: "stop"), Choice(index: 1, text: nil, finishReason: nil)]
        )
        let data = try JSONCoding.makeEncoder().encode(record)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["modelSource"] as? String == "deployment")
        let call = try #require((object["toolCalls"] as? [[String: Any]])?.first)
        #expect(call["type"] as? String == "server_tool_use")
        #expect(call["output"] as? String == "[]")
        let choices = try #require(object["choices"] as? [[String: Any]])
        #expect(choices.count == 2)
        #expect(choices[1]["text"] is NSNull)
        #expect(choices[1]["finishReason"] is NSNull)
        #expect(try JSONCoding.makeDecoder().decode(TraceRecord.self, from: data) == record)

        // One choice: no `choices` key at all. Unknown type and output are null.
        var plain = TraceRecord(summary: s)
        plain.summary.toolCalls = [ToolCall(id: nil, name: "f", arguments: "{}")]
        let plainObject = try #require(try JSONSerialization.jsonObject(with: try JSONCoding.makeEncoder().encode(plain)) as? [String: Any])
        #expect(plainObject["choices"] == nil)
        #expect((plainObject["toolCalls"] as? [[String: Any]])?.first?["type"] is NSNull)

        // JSON written before these fields existed.
        let old =
            #"{"id":"z","env":"dev","method":"GET","scheme":"https","host":"h","path":"/","query":null,"provider":null,"endpoint":null,"model":null,"stream":false,"status":null,"error":null,"startedAt":"2026-11-18T11:06:40.000Z","durationMs":null,"ttftMs":null,"usage":{"inputTokens":null,"outputTokens":null,"cachedInputTokens":null,"cacheCreationTokens":null,"reasoningTokens":null,"totalTokens":null},"estimatedCost":null,"text":null,"toolCalls":[{"id":"c","name":"f","arguments":"{}"}],"finishReason":null,"complete":true,"requestHeaders":[],"responseHeaders":[],"requestBody":null,"responseBody":null}"#
        let decoded = try JSONCoding.makeDecoder().decode(TraceRecord.self, from: Data(old.utf8))
        #expect(decoded.summary.modelSource == nil)
        #expect(decoded.summary.toolCalls == [ToolCall(id: "c", name: "f", arguments: "{}")])
        #expect(decoded.choices == nil)
    }
}
