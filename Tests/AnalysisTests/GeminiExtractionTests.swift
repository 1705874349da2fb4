import Foundation
import Testing

@testable import LLMTraceModel

@Suite struct GeminiExtractionTests {
    static let sseURL = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"

    @Test func sseStreamWithThoughtsAndCaching() throws {
        let ex = try makeExchange(Self.sseURL, request: #"{"contents":[]}"#, contentType: sse, response: Transcripts.crlf(Transcripts.geminiSSE))
        let (a, deltas) = analyzeEveryWay(ex)
        #expect(a.provider == "gemini")
        #expect(a.endpoint == "streamGenerateContent")
        #expect(a.stream)
        #expect(a.model == "gemini-2.5-flash")
        #expect(a.text == "Hello world")
        #expect(deltas == "Hello world")
        #expect(a.thinking == "**Thinking** it over")
        #expect(a.finishReason == "STOP")
        #expect(a.usage == Usage(inputTokens: 10, outputTokens: 17, cachedInputTokens: 4, reasoningTokens: 14, totalTokens: 27))
        #expect(a.complete)
    }

    @Test func truncatedSSEStream() throws {
        let body = Transcripts.cut(Transcripts.crlf(Transcripts.geminiSSE), before: #"" world"}"#)
        let ex = try makeExchange(Self.sseURL, request: #"{"contents":[]}"#, contentType: sse, response: body)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.text == "Hello")
        #expect(!a.complete)
        #expect(a.finishReason == nil)
        // Running totals as of the last whole chunk.
        #expect(a.usage == Usage(inputTokens: 10, outputTokens: 15, reasoningTokens: 14, totalTokens: 25))
    }

    @Test func jsonArrayStreamWithFunctionCallAndModelFromURL() throws {
        let url = "https://generativelanguage.googleapis.com/v1/models/gemini-2.0-flash:streamGenerateContent"
        let ex = try makeExchange(
            url,
            request: #"{"contents":[]}"#,
            contentType: "application/json; charset=UTF-8",
            response: Transcripts.geminiArrayStream
        )
        let (a, deltas) = analyzeEveryWay(ex)
        #expect(a.model == "gemini-2.0-flash")
        #expect(a.stream)
        #expect(a.text == #"Checking [the] {weather} "now""#)
        #expect(deltas == a.text)
        #expect(a.toolCalls == [ToolCall(id: nil, name: "get_weather", arguments: #"{"city":"Zürich","unit":"celsius"}"#, type: "function")])
        #expect(a.usage == Usage(inputTokens: 30, outputTokens: 8, totalTokens: 38))
        #expect(a.finishReason == "STOP")
        #expect(a.complete)

        let cut = try makeExchange(
            url,
            contentType: "application/json",
            response: Transcripts.cut(Transcripts.geminiArrayStream, before: "\"finishReason\"")
        )
        let (b, _) = analyzeEveryWay(cut)
        #expect(b.text == #"Checking [the] {weather} "now""#)
        #expect(b.toolCalls.isEmpty)
        #expect(!b.complete)
    }

    @Test func wholeBody() throws {
        let ex = try makeExchange(
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:generateContent",
            request: #"{"contents":[]}"#,
            response: Transcripts.geminiBody
        )
        let (a, _) = analyzeEveryWay(ex)
        #expect(!a.stream)
        #expect(a.model == "gemini-2.5-pro")
        #expect(a.text == "The answer is 42.")
        #expect(a.thinking == "Let me reason.")
        #expect(a.toolCalls == [ToolCall(id: "fc-1", name: "record", arguments: #"{"value":42}"#, type: "function")])
        #expect(a.finishReason == "MAX_TOKENS")
        #expect(a.usage == Usage(inputTokens: 1200, outputTokens: 57, cachedInputTokens: 1024, reasoningTokens: 50, totalTokens: 1257))
        #expect(a.complete)
    }

    @Test func blockedPrompt() throws {
        let ex = try makeExchange(
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent",
            response: Transcripts.geminiBlockedBody
        )
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.finishReason == "SAFETY")
        #expect(a.text == nil)
        #expect(a.usage == Usage(inputTokens: 8, totalTokens: 8))
    }

    @Test func errorBodies() throws {
        let ex = try makeExchange(
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent",
            status: 400,
            response: Transcripts.geminiErrorBody
        )
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.error == TraceError(type: "INVALID_ARGUMENT", message: "API key not valid. Please pass a valid API key."))
        #expect(a.model == "gemini-2.5-flash")

        let array = try makeExchange(
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent",
            status: 429,
            response: Transcripts.geminiArrayErrorBody
        )
        let (b, _) = analyzeEveryWay(array)
        #expect(b.error == TraceError(type: "RESOURCE_EXHAUSTED", message: "Resource has been exhausted (e.g. check quota)."))
    }

    @Test func errorChunkInsideArrayStream() throws {
        let ex = try makeExchange(
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent",
            status: 200,
            response: "[" + Transcripts.geminiArrayErrorBody.dropFirst()
        )
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.error?.type == "RESOURCE_EXHAUSTED")
        #expect(!a.complete)
    }
}
