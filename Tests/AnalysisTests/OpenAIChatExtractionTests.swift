import Foundation
import Testing

@testable import LLMTraceModel


@Suite struct OpenAIChatExtractionTests {
    @Test func streamWithUsage() throws {
        let ex = try makeExchange(
            "https://api.openai.com/v1/chat/completions", request: Transcripts.openAIChatRequestStreamWithUsage, contentType: sse,
            response: Transcripts.openAIChatStreamWithUsage)
        let (a, deltas) = analyzeEveryWay(ex)
        #expect(a.provider == "openai")
        #expect(a.endpoint == "chat.completions")
        #expect(a.model == "gpt-4o-2024-08-06")
        #expect(a.stream)
        #expect(a.text == "Hello, wörld 👋\n\"quoted\"")
        #expect(deltas == a.text)
        #expect(a.thinking == nil)
        #expect(a.finishReason == "stop")
        #expect(a.usage == Usage(inputTokens: 19, outputTokens: 10, cachedInputTokens: 0, reasoningTokens: 0, totalTokens: 29))
        #expect(a.toolCalls.isEmpty)
        #expect(a.error == nil)
        #expect(a.complete)
    }

    @Test func streamWithoutUsageLeavesTokensUnknown() throws {
        let ex = try makeExchange(
            "https://api.openai.com/v1/chat/completions", request: #"{"model":"gpt-4o-mini","stream":true}"#, contentType: sse,
            response: Transcripts.openAIChatStreamWithoutUsage)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.usage == Usage.unknown)
        #expect(a.text == "Hi")
        #expect(a.finishReason == "length")
        #expect(a.model == "gpt-4o-mini-2024-07-18")
        #expect(a.complete)
    }

    @Test func interleavedToolCalls() throws {
        let ex = try makeExchange(
            "https://api.openai.com/v1/chat/completions", request: #"{"model":"gpt-4o-mini","stream":true}"#, contentType: sse,
            response: Transcripts.openAIChatStreamToolCalls)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.text == nil)
        #expect(
            a.toolCalls == [
                ToolCall(id: "call_a", name: "get_weather", arguments: #"{"city":"Paris"}"#),
                ToolCall(id: "call_b", name: "get_time", arguments: #"{"tz":"Europe/Paris"}"#),
            ])
        #expect(a.finishReason == "tool_calls")
        #expect(a.complete)
    }

    @Test func reasoningContentIsThinking() throws {
        let ex = try makeExchange(
            "https://api.deepseek.com/chat/completions", request: #"{"model":"deepseek-reasoner","stream":true}"#, contentType: sse,
            response: Transcripts.deepSeekReasonerStream)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.provider == "deepseek")
        #expect(a.text == "2 + 2 = 4.")
        #expect(a.thinking == "Let me think about it.")
        #expect(a.usage == Usage(inputTokens: 10, outputTokens: 20, cachedInputTokens: 6, reasoningTokens: 12, totalTokens: 30))
        #expect(a.complete)
    }

    @Test func wholeBodyWithCachingAndReasoning() throws {
        let ex = try makeExchange(
            "https://api.openai.com/v1/chat/completions", request: #"{"model":"o4-mini","messages":[]}"#,
            response: Transcripts.openAIChatBody)
        let (a, deltas) = analyzeEveryWay(ex)
        #expect(deltas == "")
        #expect(!a.stream)
        #expect(a.model == "o4-mini-2025-04-16")
        #expect(a.text == "Hi there! How can I help?")
        #expect(a.finishReason == "stop")
        #expect(a.usage == Usage(inputTokens: 2006, outputTokens: 300, cachedInputTokens: 1920, reasoningTokens: 256, totalTokens: 2306))
        #expect(a.complete)
    }

    @Test func wholeBodyToolCalls() throws {
        let ex = try makeExchange("https://api.openai.com/v1/chat/completions", request: #"{"model":"gpt-4.1"}"#, response: Transcripts.openAIChatBodyToolCalls)
        let (a, _) = analyzeEveryWay(ex)
        #expect(
            a.toolCalls == [
                ToolCall(id: "call_1", name: "get_weather", arguments: #"{"location":"Boston, MA"}"#),
                ToolCall(id: "call_2", name: "get_time", arguments: "{}"),
            ])
        #expect(a.text == nil)
        #expect(a.usage == Usage(inputTokens: 82, outputTokens: 17, totalTokens: 99))
    }

    @Test func errorBody() throws {
        let ex = try makeExchange(
            "https://api.openai.com/v1/chat/completions", request: #"{"model":"gpt-4o","stream":true}"#, status: 401,
            response: Transcripts.openAIErrorBody)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.error?.type == "invalid_request_error")
        #expect(a.error?.message.hasPrefix("Incorrect API key provided") == true)
        #expect(a.model == "gpt-4o")
        #expect(a.stream)
        #expect(a.usage == .unknown)
        #expect(a.text == nil)
    }

    @Test func errorEventInsideA200Stream() throws {
        let ex = try makeExchange(
            "https://api.openai.com/v1/chat/completions", request: #"{"model":"gpt-4o","stream":true}"#, contentType: sse,
            response: Transcripts.openAIStreamWithError)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.error == TraceError(type: "server_error", message: "The server had an error while processing your request. Sorry about that!"))
        #expect(a.text == "Partial")
        #expect(!a.complete)
        #expect(a.usage == .unknown)
    }

    @Test func truncatedStreamKeepsTextSoFar() throws {
        let body = Transcripts.cut(Transcripts.openAIChatStreamWithUsage, before: #"ld 👋"#)
        let ex = try makeExchange(
            "https://api.openai.com/v1/chat/completions", request: Transcripts.openAIChatRequestStreamWithUsage, contentType: sse,
            response: body)
        let (a, deltas) = analyzeEveryWay(ex)
        #expect(a.text == "Hello")
        #expect(deltas == "Hello")
        #expect(!a.complete)
        #expect(a.finishReason == nil)
        #expect(a.usage == .unknown)
        #expect(a.model == "gpt-4o-2024-08-06")
    }

    @Test func streamCutBeforeDoneIsIncomplete() throws {
        let body = Transcripts.cut(Transcripts.openAIChatStreamWithUsage, before: "data: [DONE]")
        let ex = try makeExchange("https://api.openai.com/v1/chat/completions", contentType: sse, response: body)
        let (a, _) = analyzeEveryWay(ex)
        #expect(!a.complete)
        #expect(a.usage.totalTokens == 29)  // the usage chunk arrived whole
    }

    @Test func legacyCompletions() throws {
        let whole = try makeExchange("https://api.openai.com/v1/completions", response: Transcripts.openAICompletionsBody)
        let (a, _) = analyzeEveryWay(whole)
        #expect(a.endpoint == "completions")
        #expect(a.text == "\n\nThis is indeed a test")
        #expect(a.finishReason == "length")
        #expect(a.usage == Usage(inputTokens: 5, outputTokens: 7, totalTokens: 12))

        let streamed = try makeExchange(
            "https://api.openai.com/v1/completions", request: #"{"model":"gpt-3.5-turbo-instruct","prompt":"x","stream":true}"#,
            contentType: sse, response: Transcripts.openAICompletionsStream)
        let (b, deltas) = analyzeEveryWay(streamed)
        #expect(b.text == "Once upon")
        #expect(deltas == "Once upon")
        #expect(b.finishReason == "stop")
        #expect(b.complete)
    }

    @Test func embeddings() throws {
        let ex = try makeExchange(
            "https://api.openai.com/v1/embeddings", request: #"{"model":"text-embedding-3-small","input":"hi"}"#,
            response: Transcripts.openAIEmbeddingsBody)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.endpoint == "embeddings")
        #expect(a.model == "text-embedding-3-small")
        #expect(a.usage == Usage(inputTokens: 8, totalTokens: 8))
        #expect(a.text == nil)
        #expect(a.complete)
    }

    @Test func azureStreamAndError() throws {
        let url = "https://myres.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21"
        let ex = try makeExchange(url, request: #"{"stream":true,"messages":[]}"#, contentType: sse, response: Transcripts.azureChatStream)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.provider == "azure-openai")
        #expect(a.model == "gpt-4o-2024-11-20")
        #expect(a.text == "Bonjour")
        #expect(a.complete)

        let err = try makeExchange(url, request: #"{"messages":[]}"#, status: 404, response: Transcripts.azureErrorBody)
        let (b, _) = analyzeEveryWay(err)
        #expect(b.error == TraceError(type: "DeploymentNotFound", message: "The API deployment for this resource does not exist."))
        #expect(b.model == nil)
    }

    @Test func ollamaOpenAICompatible() throws {
        let ex = try makeExchange(
            "http://localhost:11434/v1/chat/completions", request: #"{"model":"qwen3:8b","stream":true}"#, contentType: sse,
            response: Transcripts.ollamaOpenAIStream)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.provider == "ollama")
        #expect(a.endpoint == "chat.completions")
        #expect(a.text == "Yes.")
        #expect(a.thinking == "Hmm.")
        #expect(a.usage == Usage(inputTokens: 12, outputTokens: 9, totalTokens: 21))
    }

    @Test func groqUsageInXGroq() throws {
        let ex = try makeExchange(
            "https://api.groq.com/openai/v1/chat/completions", request: #"{"model":"llama-3.3-70b-versatile","stream":true}"#,
            contentType: sse, response: Transcripts.groqStream)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.provider == "groq")
        #expect(a.usage == Usage(inputTokens: 40, outputTokens: 1, totalTokens: 41))
    }

    @Test func crlfStreamWithoutContentTypeIsSniffedFromTheRequest() throws {
        let ex = try makeExchange(
            "http://10.1.2.3:8000/v1/chat/completions", request: #"{"model":"local","stream":true}"#, contentType: nil,
            response: Transcripts.crlf(Transcripts.openAIChatStreamWithoutUsage))
        let (a, deltas) = analyzeEveryWay(ex)
        #expect(a.provider == "openai-compatible")
        #expect(a.text == "Hi")
        #expect(deltas == "Hi")
        #expect(a.complete)
    }

    @Test func streamSentAsPlainJSONContentTypeIsStillRead() throws {
        let ex = try makeExchange(
            "http://10.1.2.3:8000/v1/chat/completions", request: #"{"model":"local"}"#, contentType: "application/json",
            response: Transcripts.openAIChatStreamWithoutUsage)
        let (a, deltas) = analyzeEveryWay(ex)
        #expect(a.text == "Hi")
        #expect(deltas == "")
        #expect(a.complete)
    }
}

