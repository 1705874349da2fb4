import Foundation
import Testing

@testable import LLMTraceModel

@Suite struct AnthropicExtractionTests {
    @Test func streamWithThinkingToolUseAndCaching() throws {
        let ex = try makeExchange(
            "https://api.anthropic.com/v1/messages",
            request: #"{"model":"claude-sonnet-4-0","max_tokens":1024,"stream":true}"#,
            contentType: sse,
            response: Transcripts.anthropicStream
        )
        let (a, deltas) = analyzeEveryWay(ex)
        #expect(a.provider == "anthropic")
        #expect(a.endpoint == "messages")
        #expect(a.model == "claude-sonnet-4-20250514")
        #expect(a.text == "Okay, let me check the weather in San Francisco.")
        #expect(deltas == a.text)
        #expect(a.thinking == "The user wants weather.")
        #expect(
            a.toolCalls == [
                ToolCall(
                    id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
                    name: "get_weather",
                    arguments: #"{"location": "San Francisco, CA", "unit": "fahrenheit"}"#,
                    type: "function"
                ),
                ToolCall(id: "toolu_02", name: "get_time", arguments: "{}", type: "function"),
            ]
        )
        #expect(a.finishReason == "tool_use")
        #expect(
            a.usage
                == Usage(inputTokens: 2572, outputTokens: 89, cachedInputTokens: 2000, cacheCreationTokens: 100, totalTokens: 2661)
        )
        #expect(a.complete)
    }

    @Test func overloadedErrorEventInStream() throws {
        let ex = try makeExchange("https://api.anthropic.com/v1/messages", contentType: sse, response: Transcripts.anthropicStreamOverloaded)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.error == TraceError(type: "overloaded_error", message: "Overloaded"))
        #expect(a.text == "Hello")
        #expect(a.model == "claude-3-5-haiku-20241022")
        #expect(a.usage == Usage(inputTokens: 25, outputTokens: 1, totalTokens: 26))
        #expect(!a.complete)
    }

    @Test func truncatedStream() throws {
        let body = Transcripts.cut(Transcripts.anthropicStream, before: #"ncisco, CA\", \"unit"#)
        let ex = try makeExchange("https://api.anthropic.com/v1/messages", contentType: sse, response: body)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.text == "Okay, let me check the weather in San Francisco.")
        #expect(
            a.toolCalls == [
                ToolCall(id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "get_weather", arguments: #"{"location": "San Fra"#, type: "function")
            ]
        )
        #expect(a.finishReason == nil)
        #expect(a.usage.outputTokens == 2)  // as message_start said; message_delta never came
        #expect(!a.complete)
    }

    @Test func wholeBody() throws {
        let ex = try makeExchange(
            "https://api.anthropic.com/v1/messages",
            request: #"{"model":"claude-opus-4-1"}"#,
            response: Transcripts.anthropicBody
        )
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.model == "claude-opus-4-1-20250805")
        #expect(a.text == "I'll look that up.")
        #expect(a.thinking == "Need the tool.")
        #expect(a.toolCalls == [ToolCall(id: "toolu_9", name: "search", arguments: #"{"exact":true,"limit":3,"query":"swift 6"}"#, type: "function")])
        #expect(a.finishReason == "tool_use")
        #expect(a.usage == Usage(inputTokens: 4108, outputTokens: 60, cachedInputTokens: 4096, cacheCreationTokens: 0, totalTokens: 4168))
        #expect(a.complete)
    }

    @Test func errorBody() throws {
        let ex = try makeExchange(
            "https://api.anthropic.com/v1/messages",
            request: #"{"model":"claude-3-7-sonnet-latest"}"#,
            status: 400,
            response: Transcripts.anthropicErrorBody
        )
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.error == TraceError(type: "invalid_request_error", message: "max_tokens: Field required"))
        #expect(a.model == "claude-3-7-sonnet-latest")
        #expect(a.usage == .unknown)
    }

    // MARK: - Server tools

    @Test func streamedWebSearchIsAServerToolCallWithItsResult() throws {
        let ex = try makeExchange(
            "https://api.anthropic.com/v1/messages",
            request: #"{"model":"claude-opus-4-1","max_tokens":1024,"stream":true}"#,
            contentType: sse,
            response: Transcripts.anthropicWebSearchStream
        )
        let (a, deltas) = analyzeEveryWay(ex)
        #expect(a.text == "I'll check the weather. It is sunny, 22 °C.")
        #expect(deltas == a.text)
        #expect(a.toolCalls.count == 1)
        let call = try #require(a.toolCalls.first)
        #expect(call.id == "srvtoolu_014hJH82Qum7Td6UV8gDXThB")
        #expect(call.name == "web_search")
        #expect(call.type == "server_tool_use")
        #expect(call.arguments == #"{"query":"weather NYC today"}"#)
        let output = try #require(call.output)
        let results = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]])
        #expect(results.first?["url"] as? String == "https://world-weather.info/forecast/usa/new_york/may-2025/")
        #expect(results.first?["type"] as? String == "web_search_result")
        #expect(a.finishReason == "end_turn")
        #expect(a.usage == Usage(inputTokens: 10682, outputTokens: 510, cachedInputTokens: 0, cacheCreationTokens: 0, totalTokens: 11192))
        #expect(a.complete)
    }

    @Test func streamCutBeforeTheSearchResultKeepsTheCallWithoutOutput() throws {
        let body = Transcripts.cut(
            Transcripts.anthropicWebSearchStream,
            before: "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":2"
        )
        let ex = try makeExchange("https://api.anthropic.com/v1/messages", contentType: sse, response: body)
        let (a, _) = analyzeEveryWay(ex)
        #expect(
            a.toolCalls == [
                ToolCall(
                    id: "srvtoolu_014hJH82Qum7Td6UV8gDXThB",
                    name: "web_search",
                    arguments: #"{"query":"weather NYC today"}"#,
                    type: "server_tool_use"
                )
            ]
        )
        #expect(!a.complete)
    }

    @Test func bodyWithServerToolsAndAClientTool() throws {
        let ex = try makeExchange(
            "https://api.anthropic.com/v1/messages",
            request: #"{"model":"claude-sonnet-4-5","max_tokens":1024}"#,
            response: Transcripts.anthropicServerToolsBody
        )
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.text == "Let me save that.")
        #expect(a.toolCalls.map(\.type) == ["server_tool_use", "server_tool_use", "function"])
        #expect(a.toolCalls.map(\.name) == ["web_search", "web_fetch", "save"])
        #expect(a.toolCalls[0].arguments == #"{"query":"llmtrace"}"#)
        #expect(a.toolCalls[0].output == #"{"error_code":"max_uses_exceeded","type":"web_search_tool_result_error"}"#)
        #expect(a.toolCalls[1].output?.contains(#""data":"Hello""#) == true)
        #expect(a.toolCalls[2] == ToolCall(id: "toolu_c", name: "save", arguments: #"{"text":"Hello"}"#, type: "function"))
        #expect(a.finishReason == "tool_use")
    }
}
