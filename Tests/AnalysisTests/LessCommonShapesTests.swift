import Foundation
import Testing

@testable import Analysis
@testable import LLMTraceModel
@testable import StreamDecoding

@Suite struct LessCommonShapesTests {
    @Test func openAIContentPartsLegacyFunctionCallAndObjectArguments() throws {
        let body = #"""
            {"model":"m1","choices":[{"index":0,"message":{"role":"assistant","content":[{"type":"text","text":"A"},{"type":"image_url","image_url":{}},{"type":"text","text":"B"}],"function_call":{"name":"legacy","arguments":"{\"x\":1}"},"tool_calls":[{"id":"c1","type":"function","function":{"name":"obj","arguments":{"b":[1,2],"a":null}}}]},"finish_reason":"function_call"}]}
            """#
        let (a, _) = analyzeEveryWay(try makeExchange("http://10.0.0.1/v1/chat/completions", response: body))
        #expect(a.text == "AB")
        #expect(
            a.toolCalls == [
                ToolCall(id: "c1", name: "obj", arguments: #"{"a":null,"b":[1,2]}"#, type: "function"),
                ToolCall(id: nil, name: "legacy", arguments: #"{"x":1}"#, type: "function"),
            ]
        )
        let stream = #"""
            data: {"model":"m1","choices":[{"index":0,"delta":{"function_call":{"name":"legacy","arguments":""}}}]}

            data: {"model":"m1","choices":[{"index":1,"delta":{"content":"ignored: second choice"}}]}

            data: {"model":"m1","choices":[{"index":0,"delta":{"function_call":{"arguments":"{\"x\":"}}}]}

            data: {"model":"m1","choices":[{"index":0,"delta":{"function_call":{"arguments":"2}"}},"finish_reason":"function_call"}]}

            data: [DONE]


            """#
        let (b, _) = analyzeEveryWay(try makeExchange("http://10.0.0.1/v1/chat/completions", contentType: "text/event-stream", response: stream))
        #expect(b.text == nil)
        #expect(b.toolCalls == [ToolCall(id: nil, name: "legacy", arguments: #"{"x":2}"#, type: "function")])
        #expect(b.finishReason == "function_call")
    }

    @Test func responsesLessCommonEvents() throws {
        let stream = #"""
            data: {"type":"response.output_item.added","item":{"type":"function_call","id":"fc_7","call_id":"call_7","name":"f","arguments":"{\"pre\":true}"}}

            data: {"type":"response.output_item.added","output_index":1,"item":{"type":"web_search_call","id":"ws_1"}}

            data: {"type":"response.reasoning_text.delta","delta":"raw reasoning"}

            data: {"type":"response.refusal.delta","delta":"I can't."}

            data: {"type":"response.incomplete","response":{"status":"incomplete","model":"gpt-5","output":[{"type":"web_search_call","id":"ws_1"},{"type":"message","content":[{"type":"refusal","refusal":"ignored: streamed already"}]}],"usage":{"input_tokens":3,"output_tokens":4}}}


            """#
        let (a, _) = analyzeEveryWay(try makeExchange("https://api.openai.com/v1/responses", contentType: "text/event-stream", response: stream))
        // A built-in tool's item is a call of its own type, even with nothing but its id.
        #expect(
            a.toolCalls == [
                ToolCall(id: "call_7", name: "f", arguments: #"{"pre":true}"#, type: "function"),
                ToolCall(id: "ws_1", name: "web_search", arguments: "{}", type: "web_search_call"),
            ]
        )
        #expect(a.text == "I can't.")
        #expect(a.thinking == "raw reasoning")
        #expect(a.finishReason == "incomplete")
        #expect(a.usage == Usage(inputTokens: 3, outputTokens: 4, totalTokens: 7))
        #expect(a.complete)

        // A terminal event fills in what no delta carried.
        let bare = #"""
            data: {"type":"response.completed","response":{"status":"completed","model":"gpt-5","output":[{"type":"reasoning","summary":[],"content":[{"type":"reasoning_text","text":"why"}]},{"type":"message","content":[{"type":"output_text","text":"Only here"}]},{"type":"function_call","call_id":"call_z","name":"g","arguments":"{}"}]}}


            """#
        let (b, _) = analyzeEveryWay(try makeExchange("https://api.openai.com/v1/responses", contentType: "text/event-stream", response: bare))
        #expect(b.text == "Only here")
        #expect(b.thinking == "why")
        #expect(b.toolCalls == [ToolCall(id: "call_z", name: "g", arguments: "{}", type: "function")])
    }

    @Test func anthropicOtherBlockTypesAreSkippedAndServerToolsAreCalls() throws {
        let stream = #"""
            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"redacted_thinking","data":"abc"}}

            event: content_block_start
            data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":"Start "}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"citations_delta","citation":{}}}

            event: message_stop
            data: {"type":"message_stop"}


            """#
        let (a, _) = analyzeEveryWay(try makeExchange("https://api.anthropic.com/v1/messages", contentType: "text/event-stream", response: stream))
        #expect(a.text == "Start ")
        #expect(a.usage == .unknown)
        #expect(a.complete)
        let body =
            #"{"model":"claude-x","content":[{"type":"server_tool_use","id":"s","name":"web_search","input":{}},{"type":"text","text":"ok"}],"usage":{"output_tokens":3}}"#
        let (b, _) = analyzeEveryWay(try makeExchange("https://api.anthropic.com/v1/messages", response: body))
        #expect(b.text == "ok")
        #expect(b.toolCalls == [ToolCall(id: "s", name: "web_search", arguments: "{}", type: "server_tool_use")])
        #expect(b.usage == Usage(outputTokens: 3))
    }

    @Test func geminiScalarArgsAndArrayBody() throws {
        let body = #"[{"candidates":[{"content":{"parts":[{"text":"A"},{"functionCall":{"name":"n","args":7}}]},"finishReason":"STOP"}]}]"#
        let (a, _) = analyzeEveryWay(
            try makeExchange("https://generativelanguage.googleapis.com/v1beta/models/g:generateContent", response: body)
        )
        #expect(a.text == "A")
        #expect(a.toolCalls == [ToolCall(id: nil, name: "n", arguments: "7", type: "function")])
        #expect(a.complete)
        #expect(a.model == "g")
    }

    @Test func errorWithMessageOnly() throws {
        let ex = try makeExchange("https://api.openai.com/v1/chat/completions", status: 500, response: #"{"error":{"message":"boom"}}"#)
        #expect(analyzeEveryWay(ex).0.error == TraceError(type: "error", message: "boom"))
        let array = try makeExchange("http://gateway.local/x", response: "[1,2]")
        let (a, _) = analyzeEveryWay(array)
        #expect(a.error == nil)
        #expect(a.complete)
    }

    @Test func exchangeResponseHeaderLookup() throws {
        let ex = try makeExchange("https://api.openai.com/v1/chat/completions", contentType: "text/event-stream", response: "")
        #expect(ex.responseHeader("content-type") == "text/event-stream")
        #expect(ex.responseHeader("x-missing") == nil)
        #expect(StreamAccumulator(exchange: ex).isStreaming)
        let json = try makeExchange("https://api.openai.com/v1/chat/completions", request: #"{"stream":true}"#, response: "")
        #expect(!StreamAccumulator(exchange: json).isStreaming)
    }

    @Test func jsonArrayDecoderAcceptsNonContiguousSequences() {
        var decoder = JSONArrayStreamDecoder()
        #expect(decoder.feed(Array(#"[{"a":1},"#.utf8).lazy.map { $0 }) == [Array(#"{"a":1}"#.utf8)])
    }
}
