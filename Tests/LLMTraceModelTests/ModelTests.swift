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
        var s = TraceSummary(id: "x", env: "dev", method: "POST", scheme: "https", host: "api.openai.com", path: "/v1/chat/completions", startedAt: Date(timeIntervalSince1970: 1_795_000_000.125))
        s.usage = Usage(inputTokens: 10, outputTokens: 5, totalTokens: 15)
        s.toolCalls = [ToolCall(id: "c1", name: "f", arguments: "{}")]
        let record = TraceRecord(summary: s, requestHeaders: [HeaderField(name: "a", value: "b")], requestBody: CapturedBody(bytes: Array("{}".utf8), size: 2, truncated: false))
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
}
