import Foundation
import Testing

@testable import LLMTraceModel

@Suite struct OpenAIResponsesExtractionTests {
    @Test func streamWithReasoningTextAndToolCall() throws {
        let ex = try makeExchange(
            "https://api.openai.com/v1/responses",
            request: #"{"model":"o4-mini","stream":true,"input":"weather?"}"#,
            contentType: sse,
            response: Transcripts.responsesStream
        )
        let (a, deltas) = analyzeEveryWay(ex)
        #expect(a.endpoint == "responses")
        #expect(a.model == "o4-mini-2025-04-16")
        #expect(a.text == "Let me check.")
        #expect(deltas == "Let me check.")
        #expect(a.thinking == "**Checking** the weather.")
        #expect(a.toolCalls == [ToolCall(id: "call_1", name: "get_weather", arguments: #"{"city":"Oslo"}"#, type: "function")])
        #expect(a.finishReason == "completed")
        #expect(a.usage == Usage(inputTokens: 37, outputTokens: 11, cachedInputTokens: 5, reasoningTokens: 4, totalTokens: 48))
        #expect(a.complete)
    }

    @Test func failedStream() throws {
        let ex = try makeExchange("https://api.openai.com/v1/responses", contentType: sse, response: Transcripts.responsesStreamFailed)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.text == "Half")
        #expect(a.error == TraceError(type: "server_error", message: "The model failed to generate a response."))
        #expect(a.finishReason == "failed")
        #expect(a.usage == .unknown)
        #expect(a.complete)
    }

    @Test func errorEvent() throws {
        let ex = try makeExchange(
            "https://api.openai.com/v1/responses",
            request: #"{"model":"gpt-4.1","stream":true}"#,
            contentType: sse,
            response: Transcripts.responsesStreamErrorEvent
        )
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.error == TraceError(type: "ERR_SOMETHING", message: "Something went wrong"))
        #expect(a.model == "gpt-4.1")
        #expect(!a.complete)
    }

    @Test func truncatedStreamKeepsFragments() throws {
        let body = Transcripts.cut(Transcripts.responsesStream, before: "event: response.function_call_arguments.done")
        let ex = try makeExchange("https://api.openai.com/v1/responses", contentType: sse, response: body)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.text == "Let me check.")
        #expect(a.toolCalls == [ToolCall(id: "call_1", name: "get_weather", arguments: #"{"city":"Oslo"}"#, type: "function")])
        #expect(a.finishReason == nil)
        #expect(a.usage == .unknown)
        #expect(!a.complete)
    }

    @Test func wholeBody() throws {
        let ex = try makeExchange("https://api.openai.com/v1/responses", request: #"{"model":"o3"}"#, response: Transcripts.responsesBody)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.model == "o3-2025-04-16")
        #expect(a.text == "The image depicts a scenic landscape.")
        #expect(a.thinking == "Short think.")
        #expect(a.toolCalls == [ToolCall(id: "call_9", name: "save_note", arguments: #"{"text":"landscape"}"#, type: "function")])
        #expect(a.finishReason == "completed")
        #expect(a.usage == Usage(inputTokens: 328, outputTokens: 52, cachedInputTokens: 0, reasoningTokens: 20, totalTokens: 380))
        #expect(a.error == nil)
        #expect(a.complete)
    }

    @Test func errorBody() throws {
        let ex = try makeExchange("https://api.openai.com/v1/responses", status: 400, response: Transcripts.openAIErrorBody)
        #expect(analyzeEveryWay(ex).0.error?.type == "invalid_request_error")
    }

    // MARK: - Built-in tools

    @Test func streamedBuiltInToolsAreToolCallsOfTheirType() throws {
        let ex = try makeExchange(
            "https://api.openai.com/v1/responses",
            request: #"{"model":"gpt-4.1","stream":true,"tools":[{"type":"web_search_preview"}]}"#,
            contentType: sse,
            response: Transcripts.responsesStreamBuiltInTools
        )
        let (a, deltas) = analyzeEveryWay(ex)
        #expect(a.text == "Good news: otters.")
        #expect(deltas == a.text)
        #expect(
            a.toolCalls == [
                ToolCall(
                    id: "ws_67c9fa0502748190b7dd390736892e10",
                    name: "web_search",
                    arguments: #"{"action":{"query":"positive news today","type":"search"}}"#,
                    type: "web_search_call"
                ),
                ToolCall(
                    id: "mcp_1",
                    name: "ask_question",
                    arguments: #"{"repoName":"a/b"}"#,
                    type: "mcp_call",
                    output: "It is a tracing proxy."
                ),
            ]
        )
        #expect(a.usage.totalTokens == 684)
        #expect(a.complete)
    }

    @Test func streamCutInsideAnMCPCallKeepsItsArgumentsSoFar() throws {
        let body = Transcripts.cut(Transcripts.responsesStreamBuiltInTools, before: "event: response.mcp_call_arguments.done")
        let ex = try makeExchange("https://api.openai.com/v1/responses", contentType: sse, response: body)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.toolCalls.map(\.type) == ["web_search_call", "mcp_call"])
        #expect(a.toolCalls.last?.arguments == #"{"repoName":"a/b"}"#)
        #expect(a.toolCalls.last?.output == nil)
        #expect(!a.complete)
    }

    @Test func bodyWithBuiltInToolsAndACustomTool() throws {
        let ex = try makeExchange(
            "https://api.openai.com/v1/responses",
            request: #"{"model":"gpt-5"}"#,
            response: Transcripts.responsesBodyBuiltInTools
        )
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.text == "Done.")
        #expect(a.toolCalls.map(\.type) == ["file_search_call", "code_interpreter_call", "image_generation_call", "custom"])
        #expect(a.toolCalls.map(\.name) == ["file_search", "code_interpreter", "image_generation", "code_exec"])
        #expect(a.toolCalls.map(\.id) == ["fs_1", "ci_1", "ig_1", "call_custom"])
        #expect(a.toolCalls[0].arguments == #"{"queries":["deep research"]}"#)
        #expect(a.toolCalls[0].output?.contains("deep_research_blog.pdf") == true)
        #expect(a.toolCalls[1].arguments == #"{"code":"print(6*7)","container_id":"cntr_1"}"#)
        #expect(a.toolCalls[1].output == #"[{"logs":"42\n","type":"logs"}]"#)
        // The image itself (base64 `result`) is neither arguments nor output.
        #expect(a.toolCalls[2].arguments == #"{"revised_prompt":"An otter"}"#)
        #expect(a.toolCalls[2].output == nil)
        #expect(a.toolCalls[3].arguments == "print('hi')")
        #expect(a.toolCalls[3].output == nil)
    }
}
