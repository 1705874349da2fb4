import Foundation
import Testing

@testable import Shared

private let sse = "text/event-stream; charset=utf-8"

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
        let ex = try makeExchange(url, request: #"{"contents":[]}"#, contentType: "application/json; charset=UTF-8", response: Transcripts.geminiArrayStream)
        let (a, deltas) = analyzeEveryWay(ex)
        #expect(a.model == "gemini-2.0-flash")
        #expect(a.stream)
        #expect(a.text == #"Checking [the] {weather} "now""#)
        #expect(deltas == a.text)
        #expect(a.toolCalls == [ToolCall(id: nil, name: "get_weather", arguments: #"{"city":"Zürich","unit":"celsius"}"#)])
        #expect(a.usage == Usage(inputTokens: 30, outputTokens: 8, totalTokens: 38))
        #expect(a.finishReason == "STOP")
        #expect(a.complete)

        let cut = try makeExchange(url, contentType: "application/json", response: Transcripts.cut(Transcripts.geminiArrayStream, before: "\"finishReason\""))
        let (b, _) = analyzeEveryWay(cut)
        #expect(b.text == #"Checking [the] {weather} "now""#)
        #expect(b.toolCalls.isEmpty)
        #expect(!b.complete)
    }

    @Test func wholeBody() throws {
        let ex = try makeExchange(
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:generateContent", request: #"{"contents":[]}"#,
            response: Transcripts.geminiBody)
        let (a, _) = analyzeEveryWay(ex)
        #expect(!a.stream)
        #expect(a.model == "gemini-2.5-pro")
        #expect(a.text == "The answer is 42.")
        #expect(a.thinking == "Let me reason.")
        #expect(a.toolCalls == [ToolCall(id: "fc-1", name: "record", arguments: #"{"value":42}"#)])
        #expect(a.finishReason == "MAX_TOKENS")
        #expect(a.usage == Usage(inputTokens: 1200, outputTokens: 57, cachedInputTokens: 1024, reasoningTokens: 50, totalTokens: 1257))
        #expect(a.complete)
    }

    @Test func blockedPrompt() throws {
        let ex = try makeExchange(
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent", response: Transcripts.geminiBlockedBody)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.finishReason == "SAFETY")
        #expect(a.text == nil)
        #expect(a.usage == Usage(inputTokens: 8, totalTokens: 8))
    }

    @Test func errorBodies() throws {
        let ex = try makeExchange(
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent", status: 400,
            response: Transcripts.geminiErrorBody)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.error == TraceError(type: "INVALID_ARGUMENT", message: "API key not valid. Please pass a valid API key."))
        #expect(a.model == "gemini-2.5-flash")

        let array = try makeExchange(
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent", status: 429,
            response: Transcripts.geminiArrayErrorBody)
        let (b, _) = analyzeEveryWay(array)
        #expect(b.error == TraceError(type: "RESOURCE_EXHAUSTED", message: "Resource has been exhausted (e.g. check quota)."))
    }

    @Test func errorChunkInsideArrayStream() throws {
        let ex = try makeExchange(
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent", status: 200,
            response: "[" + Transcripts.geminiArrayErrorBody.dropFirst())
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.error?.type == "RESOURCE_EXHAUSTED")
        #expect(!a.complete)
    }
}

@Suite struct OllamaExtractionTests {
    @Test func chatStreamWithThinkingAndToolCall() throws {
        let ex = try makeExchange(
            "http://localhost:11434/api/chat", request: #"{"model":"qwen3","messages":[],"think":true}"#,
            contentType: "application/x-ndjson", response: Transcripts.ollamaChatStream)
        let (a, deltas) = analyzeEveryWay(ex)
        #expect(a.provider == "ollama")
        #expect(a.endpoint == "ollama.chat")
        #expect(a.stream)
        #expect(a.model == "qwen3")
        #expect(a.text == "The sky is blue.")
        #expect(deltas == a.text)
        #expect(a.thinking == "Let me think.")
        #expect(a.toolCalls == [ToolCall(id: nil, name: "get_weather", arguments: #"{"city":"Toronto","unit":"celsius"}"#)])
        #expect(a.finishReason == "stop")
        #expect(a.usage == Usage(inputTokens: 26, outputTokens: 282, totalTokens: 308))
        #expect(a.complete)
    }

    @Test func generateStreamWithoutPromptCount() throws {
        let ex = try makeExchange(
            "http://localhost:11434/api/generate", request: #"{"model":"llama3.2","prompt":"Why?"}"#, contentType: "application/x-ndjson",
            response: Transcripts.ollamaGenerateStream)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.endpoint == "ollama.generate")
        #expect(a.text == "The sky")
        // A cached prompt: Ollama omits prompt_eval_count, so input (and total) stay unknown.
        #expect(a.usage == Usage(outputTokens: 290))
        #expect(a.complete)
    }

    @Test func nonStreamedChatBodyWithoutTrailingNewline() throws {
        let ex = try makeExchange(
            "http://localhost:11434/api/chat", request: #"{"model":"llama3.2","stream":false}"#, response: Transcripts.ollamaChatBody)
        let (a, deltas) = analyzeEveryWay(ex)
        #expect(a.text == "Hello! How are you today?")
        #expect(!a.stream)
        #expect(deltas == "")
        #expect(a.usage == Usage(inputTokens: 26, outputTokens: 298, totalTokens: 324))
        #expect(a.complete)
    }

    @Test func embed() throws {
        let ex = try makeExchange("http://localhost:11434/api/embed", request: #"{"model":"all-minilm","input":"x"}"#, response: Transcripts.ollamaEmbedBody)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.endpoint == "ollama.embed")
        #expect(a.usage == Usage(inputTokens: 8))
        #expect(a.complete)
    }

    @Test func errorBodyAndErrorLine() throws {
        let ex = try makeExchange("http://localhost:11434/api/chat", request: #"{"model":"llama9"}"#, status: 404, response: Transcripts.ollamaErrorBody)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.error == TraceError(type: "error", message: #"model "llama9" not found, try pulling it first"#))
        #expect(a.model == "llama9")

        let streamed = try makeExchange(
            "http://localhost:11434/api/generate", request: #"{"model":"llama3.2"}"#, contentType: "application/x-ndjson",
            response: Transcripts.ollamaStreamWithError)
        let (b, _) = analyzeEveryWay(streamed)
        #expect(b.text == "Partial")
        #expect(b.error == TraceError(type: "error", message: "an error was encountered while running the model: unexpected EOF"))
        #expect(!b.complete)
    }

    @Test func truncatedStream() throws {
        let body = Transcripts.cut(Transcripts.ollamaChatStream, before: #"" is blue."#)
        let ex = try makeExchange("http://localhost:11434/api/chat", contentType: "application/x-ndjson", response: body)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.text == "The sky")
        #expect(a.usage == .unknown)
        #expect(!a.complete)
    }
}

@Suite struct GenericExtractionTests {
    @Test func nonJSONErrorBody() throws {
        let ex = try makeExchange(
            "https://api.openai.com/v1/chat/completions", status: 502, contentType: "text/html",
            response: "<html><body>Bad gateway</body></html>\n")
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.error == TraceError(type: "http_error", message: "<html><body>Bad gateway</body></html>"))
        let empty = try makeExchange("https://api.openai.com/v1/chat/completions", status: 503, response: "")
        #expect(analyzeEveryWay(empty).0.error == TraceError(type: "http_error", message: "HTTP 503"))
    }

    @Test func otherErrorBodyShapes() throws {
        let mistral = try makeExchange(
            "https://api.mistral.ai/v1/chat/completions", status: 422,
            response: #"{"object":"error","message":"Invalid model: x","type":"invalid_model","param":null,"code":"1500"}"#)
        #expect(analyzeEveryWay(mistral).0.error == TraceError(type: "invalid_model", message: "Invalid model: x"))
        let fastAPI = try makeExchange("http://10.0.0.1:8000/v1/chat/completions", status: 404, response: #"{"detail":"Not Found"}"#)
        #expect(analyzeEveryWay(fastAPI).0.error == TraceError(type: "error", message: "Not Found"))
        let codeOnly = try makeExchange(
            "https://api.openai.com/v1/chat/completions", status: 429, response: #"{"error":{"code":429,"details":"slow down"}}"#)
        #expect(analyzeEveryWay(codeOnly).0.error == TraceError(type: "429", message: #"{"code":429,"details":"slow down"}"#))
        let other = try makeExchange("https://api.openai.com/v1/chat/completions", status: 400, response: #"{"oops":1}"#)
        #expect(analyzeEveryWay(other).0.error == TraceError(type: "http_error", message: #"{"oops":1}"#))
    }

    @Test func unknownEndpointKeepsRequestModelAndErrors() throws {
        let ex = try makeExchange("https://api.openai.com/v1/models/gpt-4o", response: #"{"id":"gpt-4o","object":"model","model":"gpt-4o"}"#)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.provider == "openai")
        #expect(a.endpoint == nil)
        #expect(a.model == "gpt-4o")
        #expect(a.complete)
        let streamed = try makeExchange(
            "http://gateway.local/x", contentType: sse, response: "data: {\"error\":{\"type\":\"boom\",\"message\":\"m\"}}\n\ndata: [1]\n\n")
        #expect(analyzeEveryWay(streamed).0.error == TraceError(type: "boom", message: "m"))
    }

    @Test func cutNonStreamedBodyIsIncomplete() throws {
        let body = String(Transcripts.openAIChatBody.prefix(120))
        let ex = try makeExchange("https://api.openai.com/v1/chat/completions", response: body)
        let (a, _) = analyzeEveryWay(ex)
        #expect(!a.complete)
        #expect(a.text == nil)
        #expect(a.usage == .unknown)
    }

    @Test func accumulatorFromPartsEqualsExchangeInit() throws {
        let ex = try makeExchange(
            "https://api.anthropic.com/v1/messages", contentType: sse, response: Transcripts.anthropicStream)
        var acc = StreamAccumulator(
            method: ex.method, route: ex.route, requestHeaders: ex.requestHeaders, requestBody: ex.requestBody, status: ex.status,
            responseHeaders: ex.responseHeaders)
        var streamed = ""
        for piece in Chunking.random(ex.responseBody, seed: 99, maxPiece: 40) { streamed += acc.feed(piece) }
        let result = acc.finish()
        #expect(result == ExchangeAnalyzer.analyze(ex))
        #expect(streamed == "Okay, let me check the weather in San Francisco.")
    }
}

@Suite struct LessCommonShapesTests {
    @Test func openAIContentPartsLegacyFunctionCallAndObjectArguments() throws {
        let body = #"""
            {"model":"m1","choices":[{"index":0,"message":{"role":"assistant","content":[{"type":"text","text":"A"},{"type":"image_url","image_url":{}},{"type":"text","text":"B"}],"function_call":{"name":"legacy","arguments":"{\"x\":1}"},"tool_calls":[{"id":"c1","type":"function","function":{"name":"obj","arguments":{"b":[1,2],"a":null}}}]},"finish_reason":"function_call"}]}
            """#
        let (a, _) = analyzeEveryWay(try makeExchange("http://10.0.0.1/v1/chat/completions", response: body))
        #expect(a.text == "AB")
        #expect(
            a.toolCalls == [
                ToolCall(id: "c1", name: "obj", arguments: #"{"a":null,"b":[1,2]}"#), ToolCall(id: nil, name: "legacy", arguments: #"{"x":1}"#),
            ])
        let stream = #"""
            data: {"model":"m1","choices":[{"index":0,"delta":{"function_call":{"name":"legacy","arguments":""}}}]}

            data: {"model":"m1","choices":[{"index":1,"delta":{"content":"ignored: second choice"}}]}

            data: {"model":"m1","choices":[{"index":0,"delta":{"function_call":{"arguments":"{\"x\":"}}}]}

            data: {"model":"m1","choices":[{"index":0,"delta":{"function_call":{"arguments":"2}"}},"finish_reason":"function_call"}]}

            data: [DONE]


            """#
        let (b, _) = analyzeEveryWay(try makeExchange("http://10.0.0.1/v1/chat/completions", contentType: "text/event-stream", response: stream))
        #expect(b.text == nil)
        #expect(b.toolCalls == [ToolCall(id: nil, name: "legacy", arguments: #"{"x":2}"#)])
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
        #expect(a.toolCalls == [ToolCall(id: "call_7", name: "f", arguments: #"{"pre":true}"#)])
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
        #expect(b.toolCalls == [ToolCall(id: "call_z", name: "g", arguments: "{}")])
    }

    @Test func anthropicOtherBlockTypesAreSkipped() throws {
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
        let body = #"{"model":"claude-x","content":[{"type":"server_tool_use","id":"s","name":"web_search","input":{}},{"type":"text","text":"ok"}],"usage":{"output_tokens":3}}"#
        let (b, _) = analyzeEveryWay(try makeExchange("https://api.anthropic.com/v1/messages", response: body))
        #expect(b.text == "ok")
        #expect(b.toolCalls.isEmpty)
        #expect(b.usage == Usage(outputTokens: 3))
    }

    @Test func geminiScalarArgsAndArrayBody() throws {
        let body = #"[{"candidates":[{"content":{"parts":[{"text":"A"},{"functionCall":{"name":"n","args":7}}]},"finishReason":"STOP"}]}]"#
        let (a, _) = analyzeEveryWay(
            try makeExchange("https://generativelanguage.googleapis.com/v1beta/models/g:generateContent", response: body))
        #expect(a.text == "A")
        #expect(a.toolCalls == [ToolCall(id: nil, name: "n", arguments: "7")])
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
