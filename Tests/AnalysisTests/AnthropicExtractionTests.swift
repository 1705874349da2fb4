import Foundation
import Testing

@testable import LLMTraceModel


@Suite struct AnthropicExtractionTests {
    @Test func streamWithThinkingToolUseAndCaching() throws {
        let ex = try makeExchange(
            "https://api.anthropic.com/v1/messages", request: #"{"model":"claude-sonnet-4-0","max_tokens":1024,"stream":true}"#,
            contentType: sse, response: Transcripts.anthropicStream)
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
                    id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "get_weather",
                    arguments: #"{"location": "San Francisco, CA", "unit": "fahrenheit"}"#),
                ToolCall(id: "toolu_02", name: "get_time", arguments: "{}"),
            ])
        #expect(a.finishReason == "tool_use")
        #expect(
            a.usage
                == Usage(inputTokens: 2572, outputTokens: 89, cachedInputTokens: 2000, cacheCreationTokens: 100, totalTokens: 2661))
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
        #expect(a.toolCalls == [ToolCall(id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "get_weather", arguments: #"{"location": "San Fra"#)])
        #expect(a.finishReason == nil)
        #expect(a.usage.outputTokens == 2)  // as message_start said; message_delta never came
        #expect(!a.complete)
    }

    @Test func wholeBody() throws {
        let ex = try makeExchange("https://api.anthropic.com/v1/messages", request: #"{"model":"claude-opus-4-1"}"#, response: Transcripts.anthropicBody)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.model == "claude-opus-4-1-20250805")
        #expect(a.text == "I'll look that up.")
        #expect(a.thinking == "Need the tool.")
        #expect(a.toolCalls == [ToolCall(id: "toolu_9", name: "search", arguments: #"{"exact":true,"limit":3,"query":"swift 6"}"#)])
        #expect(a.finishReason == "tool_use")
        #expect(a.usage == Usage(inputTokens: 4108, outputTokens: 60, cachedInputTokens: 4096, cacheCreationTokens: 0, totalTokens: 4168))
        #expect(a.complete)
    }

    @Test func errorBody() throws {
        let ex = try makeExchange(
            "https://api.anthropic.com/v1/messages", request: #"{"model":"claude-3-7-sonnet-latest"}"#, status: 400,
            response: Transcripts.anthropicErrorBody)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.error == TraceError(type: "invalid_request_error", message: "max_tokens: Field required"))
        #expect(a.model == "claude-3-7-sonnet-latest")
        #expect(a.usage == .unknown)
    }
}

