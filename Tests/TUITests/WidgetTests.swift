import Foundation
import LLMTraceModel
import Testing

@testable import TUI

@Suite struct SparklineTests {
    @Test func blockCharacters() {
        #expect(Sparkline.blocks([0, 1, 2, 3, 4, 5, 6, 7, 8]) == " ▁▂▃▄▅▆▇█")
        #expect(Sparkline.blocks([1, 1, 1]) == "███")
        #expect(Sparkline.blocks([0, 0]) == "  ")
        #expect(Sparkline.blocks([nil, 4, 2]) == " █▄")
        #expect(Sparkline.blocks([1, 2, 3, 4], width: 2) == "▆█")  // the newest values
        #expect(Sparkline.blocks([8], width: 3) == "  █")
        #expect(Sparkline.blocks([0.1, 100]) == "▁█")  // above zero shows at least ▁
    }

    @Test func brailleCharacters() {
        #expect(Sparkline.braille([0, 4, 4, 0], width: 2) == "⢸⡇")
        #expect(Sparkline.braille([4, 4], width: 1) == "⣿")
        #expect(Sparkline.braille([1, 2, 3, 4], width: 2) == "⣠⣾")
        #expect(Sparkline.braille([], width: 3) == "⠀⠀⠀")
        #expect(Sparkline.braille([1, 4], width: 1) == "⣸")
    }
}

@Suite struct JSONViewTests {
    @Test func prettyPrintsWithSortedKeysAndFolds() {
        let text = #"{"b":[1,2.5,true,null],"a":{"x":"y"},"e":{},"f":[],"s":"\#(String(repeating: "é", count: 300))"}"#
        let lines = JSONView.lines(text, width: 60, theme: .standard)!.map(\.text)
        #expect(lines[0] == "{")
        #expect(lines[1] == "  \"a\": {")
        #expect(lines[2] == "    \"x\": \"y\"")
        #expect(lines[3] == "  },")
        #expect(lines[4] == "  \"b\": [")
        #expect(lines[5] == "    1,")
        #expect(lines[6] == "    2.5,")
        #expect(lines[7] == "    true,")
        #expect(lines[8] == "    null")
        #expect(lines[9] == "  ],")
        #expect(lines[10] == "  \"e\": {},")
        #expect(lines[11] == "  \"f\": [],")
        #expect(lines[12].hasPrefix("  \"s\": \"éééé"))
        #expect(lines[12].hasSuffix("… (300 chars)\""))
        #expect(TextMeasure.width(lines[12]) <= 60)
        #expect(lines.last == "}")
        #expect(JSONView.lines("not json", width: 40, theme: .standard) == nil)
    }

    @Test func escapesAndNumbers() {
        let line = JSONView.compactLine(value: JSONView.parse(#"{"a":"line\nbreak \"q\"","n":1.0,"i":12345678901234,"z":false}"#)!, theme: .standard)
        #expect(line.text == #"{"a":"line\nbreak \"q\"","i":12345678901234,"n":1.0,"z":false}"#)
    }
}

@Suite struct ConversationParserTests {
    @Test func openAIChat() {
        let m = ConversationParser.messages(fromRequestBody: Fixtures.chatRequestBody)
        #expect(m.map(\.role) == [.system, .user, .assistant, .tool])
        #expect(m[2].blocks == [.toolCall(name: "get_weather", arguments: "{\"city\":\"Paris\"}", id: "call_1")])
        #expect(m[3].blocks == [.toolResult(name: "call_1", content: "{\"temp\":21}", isError: false)])
    }

    @Test func openAIContentParts() {
        let body =
            #"{"messages":[{"role":"developer","content":"rules"},{"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"data:..."}}]}]}"#
        let m = ConversationParser.messages(fromRequestBody: body)
        #expect(m == [ChatMessage(role: .system, blocks: [.text("rules")]), ChatMessage(role: .user, blocks: [.text("look"), .media("image")])])
    }

    @Test func anthropicMessages() {
        let body = #"""
            {"model":"claude","system":[{"type":"text","text":"Be brief."}],"messages":[
              {"role":"user","content":"Weather?"},
              {"role":"assistant","content":[{"type":"thinking","thinking":"hmm"},{"type":"text","text":"Checking."},{"type":"tool_use","id":"tu1","name":"weather","input":{"city":"Oslo"}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"tu1","content":[{"type":"text","text":"-3C"}],"is_error":false}]}
            ]}
            """#
        let m = ConversationParser.messages(fromRequestBody: body)
        #expect(m.map(\.role) == [.system, .user, .assistant, .tool])
        #expect(m[0].blocks == [.text("Be brief.")])
        #expect(m[2].blocks == [.thinking("hmm"), .text("Checking."), .toolCall(name: "weather", arguments: "{\"city\":\"Oslo\"}", id: "tu1")])
        #expect(m[3].blocks == [.toolResult(name: "tu1", content: "-3C", isError: false)])
    }

    @Test func geminiContents() {
        let body = #"""
            {"systemInstruction":{"parts":[{"text":"sys"}]},"contents":[
              {"role":"user","parts":[{"text":"hi"},{"inlineData":{"mimeType":"image/png","data":"..."}}]},
              {"role":"model","parts":[{"functionCall":{"name":"f","args":{"a":1}}}]},
              {"role":"user","parts":[{"functionResponse":{"name":"f","response":{"ok":true}}}]}
            ]}
            """#
        let m = ConversationParser.messages(fromRequestBody: body)
        #expect(m.map(\.role) == [.system, .user, .assistant, .tool])
        #expect(m[1].blocks == [.text("hi"), .media("image/png")])
        #expect(m[2].blocks == [.toolCall(name: "f", arguments: "{\"a\":1}", id: nil)])
        #expect(m[3].blocks == [.toolResult(name: "f", content: "{\"ok\":true}", isError: false)])
    }

    @Test func ollamaMessagesAndGenerate() {
        let chat =
            #"{"model":"llama3","messages":[{"role":"user","content":"hi","images":["..."]},{"role":"assistant","content":"","tool_calls":[{"function":{"name":"t","arguments":{"x":2}}}]},{"role":"tool","content":"42"}]}"#
        let m = ConversationParser.messages(fromRequestBody: chat)
        #expect(m.map(\.role) == [.user, .assistant, .tool])
        #expect(m[0].blocks == [.text("hi"), .media("1 image")])
        #expect(m[1].blocks == [.toolCall(name: "t", arguments: "{\"x\":2}", id: nil)])
        #expect(m[2].blocks == [.toolResult(name: nil, content: "42", isError: false)])
        let generate = #"{"model":"llama3","system":"sys","prompt":"Why is the sky blue?"}"#
        #expect(
            ConversationParser.messages(fromRequestBody: generate) == [
                ChatMessage(role: .system, blocks: [.text("sys")]), ChatMessage(role: .user, blocks: [.text("Why is the sky blue?")]),
            ]
        )
    }

    @Test func responsesInput() {
        let body = #"""
            {"model":"gpt-4.1","instructions":"be nice","input":[
              {"role":"user","content":[{"type":"input_text","text":"hello"}]},
              {"type":"function_call","call_id":"fc1","name":"lookup","arguments":"{\"q\":1}"},
              {"type":"function_call_output","call_id":"fc1","output":"found"}
            ]}
            """#
        let m = ConversationParser.messages(fromRequestBody: body)
        #expect(m.map(\.role) == [.system, .user, .assistant, .tool])
        #expect(m[1].blocks == [.text("hello")])
        #expect(m[2].blocks == [.toolCall(name: "lookup", arguments: "{\"q\":1}", id: "fc1")])
        #expect(m[3].blocks == [.toolResult(name: "fc1", content: "found", isError: false)])
        #expect(ConversationParser.messages(fromRequestBody: #"{"input":"just text"}"#) == [ChatMessage(role: .user, blocks: [.text("just text")])])
    }

    @Test func notAConversation() {
        #expect(ConversationParser.messages(fromRequestBody: "garbage").isEmpty)
        #expect(ConversationParser.messages(fromRequestBody: #"{"foo":1}"#).isEmpty)
    }
}

@Suite struct BodyViewTests {
    @Test func ndjsonStreams() {
        let body = "{\"message\":{\"content\":\"Hi\"},\"done\":false}\n{\"done\":true,\"eval_count\":3}\n"
        let lines = BodyView.lines(
            CapturedBody(content: body, encoding: .utf8, size: body.utf8.count, truncated: false),
            headers: [HeaderField(name: "content-type", value: "application/x-ndjson")],
            width: 80,
            theme: .standard,
            what: "response"
        ).map(\.text)
        #expect(lines[0] == "2 JSON lines")
        #expect(lines.contains("  {\"done\":false,\"message\":{\"content\":\"Hi\"}}"))
    }

    @Test func binaryAndTruncatedBodies() {
        let bin = CapturedBody(bytes: [0xFF, 0x00, 0x01], size: 3, truncated: false)
        #expect(
            BodyView.lines(bin, headers: [], width: 80, theme: .standard, what: "response").map(\.text) == [
                "Binary body, 3 B (the Raw tab shows it as base64)."
            ]
        )
        let cut = CapturedBody(content: "{\"a\":", encoding: .utf8, size: 10_000, truncated: true)
        let lines = BodyView.lines(cut, headers: [], width: 80, theme: .standard, what: "request").map(\.text)
        #expect(lines[0].contains("Body cut at the capture limit"))
        #expect(lines[1] == "{\"a\":")
        #expect(BodyView.lines(nil, headers: [], width: 80, theme: .standard, what: "request").map(\.text) == ["No request body."])
    }
}

@Suite struct FormatTests {
    @Test func formats() {
        #expect(Format.compact(950) == "950")
        #expect(Format.compact(1500) == "1.5k")
        #expect(Format.compact(12_345) == "12.3k")
        #expect(Format.compact(4_560_000) == "4.56M")
        #expect(Format.compact(nil) == "–")
        #expect(Format.grouped(1_234_567) == "1,234,567")
        #expect(Format.cost(0.01234) == "$0.0123")
        #expect(Format.cost(12.5) == "$12.50")
        #expect(Format.cost(0) == "$0")
        #expect(Format.duration(850) == "850ms")
        #expect(Format.duration(1234) == "1.23s")
        #expect(Format.duration(125_000) == "2m05s")
        #expect(Format.clock(Fixtures.base.addingTimeInterval(3723), zone: TimeZone(identifier: "UTC")!) == "13:02:03")
    }
}
