import Foundation
import Testing

@testable import LLMTraceModel


@Suite struct OpenAIResponsesExtractionTests {
    @Test func streamWithReasoningTextAndToolCall() throws {
        let ex = try makeExchange(
            "https://api.openai.com/v1/responses", request: #"{"model":"o4-mini","stream":true,"input":"weather?"}"#, contentType: sse,
            response: Transcripts.responsesStream)
        let (a, deltas) = analyzeEveryWay(ex)
        #expect(a.endpoint == "responses")
        #expect(a.model == "o4-mini-2025-04-16")
        #expect(a.text == "Let me check.")
        #expect(deltas == "Let me check.")
        #expect(a.thinking == "**Checking** the weather.")
        #expect(a.toolCalls == [ToolCall(id: "call_1", name: "get_weather", arguments: #"{"city":"Oslo"}"#)])
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
            "https://api.openai.com/v1/responses", request: #"{"model":"gpt-4.1","stream":true}"#, contentType: sse,
            response: Transcripts.responsesStreamErrorEvent)
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
        #expect(a.toolCalls == [ToolCall(id: "call_1", name: "get_weather", arguments: #"{"city":"Oslo"}"#)])
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
        #expect(a.toolCalls == [ToolCall(id: "call_9", name: "save_note", arguments: #"{"text":"landscape"}"#)])
        #expect(a.finishReason == "completed")
        #expect(a.usage == Usage(inputTokens: 328, outputTokens: 52, cachedInputTokens: 0, reasoningTokens: 20, totalTokens: 380))
        #expect(a.error == nil)
        #expect(a.complete)
    }

    @Test func errorBody() throws {
        let ex = try makeExchange("https://api.openai.com/v1/responses", status: 400, response: Transcripts.openAIErrorBody)
        #expect(analyzeEveryWay(ex).0.error?.type == "invalid_request_error")
    }
}

