import Foundation
import Testing

@testable import Analysis
@testable import LLMTraceModel

@Suite struct OpenAIChatExtractionTests {
    @Test func streamWithUsage() throws {
        let ex = try makeExchange(
            "https://api.openai.com/v1/chat/completions",
            request: Transcripts.openAIChatRequestStreamWithUsage,
            contentType: sse,
            response: Transcripts.openAIChatStreamWithUsage
        )
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
            "https://api.openai.com/v1/chat/completions",
            request: #"{"model":"gpt-4o-mini","stream":true}"#,
            contentType: sse,
            response: Transcripts.openAIChatStreamWithoutUsage
        )
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.usage == Usage.unknown)
        #expect(a.text == "Hi")
        #expect(a.finishReason == "length")
        #expect(a.model == "gpt-4o-mini-2024-07-18")
        #expect(a.complete)
    }

    @Test func interleavedToolCalls() throws {
        let ex = try makeExchange(
            "https://api.openai.com/v1/chat/completions",
            request: #"{"model":"gpt-4o-mini","stream":true}"#,
            contentType: sse,
            response: Transcripts.openAIChatStreamToolCalls
        )
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.text == nil)
        #expect(
            a.toolCalls == [
                ToolCall(id: "call_a", name: "get_weather", arguments: #"{"city":"Paris"}"#, type: "function"),
                ToolCall(id: "call_b", name: "get_time", arguments: #"{"tz":"Europe/Paris"}"#, type: "function"),
            ]
        )
        #expect(a.finishReason == "tool_calls")
        #expect(a.complete)
    }

    @Test func reasoningContentIsThinking() throws {
        let ex = try makeExchange(
            "https://api.deepseek.com/chat/completions",
            request: #"{"model":"deepseek-reasoner","stream":true}"#,
            contentType: sse,
            response: Transcripts.deepSeekReasonerStream
        )
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.provider == "deepseek")
        #expect(a.text == "2 + 2 = 4.")
        #expect(a.thinking == "Let me think about it.")
        #expect(a.usage == Usage(inputTokens: 10, outputTokens: 20, cachedInputTokens: 6, reasoningTokens: 12, totalTokens: 30))
        #expect(a.complete)
    }

    @Test func wholeBodyWithCachingAndReasoning() throws {
        let ex = try makeExchange(
            "https://api.openai.com/v1/chat/completions",
            request: #"{"model":"o4-mini","messages":[]}"#,
            response: Transcripts.openAIChatBody
        )
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
        let ex = try makeExchange(
            "https://api.openai.com/v1/chat/completions",
            request: #"{"model":"gpt-4.1"}"#,
            response: Transcripts.openAIChatBodyToolCalls
        )
        let (a, _) = analyzeEveryWay(ex)
        #expect(
            a.toolCalls == [
                ToolCall(id: "call_1", name: "get_weather", arguments: #"{"location":"Boston, MA"}"#, type: "function"),
                ToolCall(id: "call_2", name: "get_time", arguments: "{}", type: "function"),
            ]
        )
        #expect(a.text == nil)
        #expect(a.usage == Usage(inputTokens: 82, outputTokens: 17, totalTokens: 99))
    }

    @Test func errorBody() throws {
        let ex = try makeExchange(
            "https://api.openai.com/v1/chat/completions",
            request: #"{"model":"gpt-4o","stream":true}"#,
            status: 401,
            response: Transcripts.openAIErrorBody
        )
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
            "https://api.openai.com/v1/chat/completions",
            request: #"{"model":"gpt-4o","stream":true}"#,
            contentType: sse,
            response: Transcripts.openAIStreamWithError
        )
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.error == TraceError(type: "server_error", message: "The server had an error while processing your request. Sorry about that!"))
        #expect(a.text == "Partial")
        #expect(!a.complete)
        #expect(a.usage == .unknown)
    }

    @Test func truncatedStreamKeepsTextSoFar() throws {
        let body = Transcripts.cut(Transcripts.openAIChatStreamWithUsage, before: #"ld 👋"#)
        let ex = try makeExchange(
            "https://api.openai.com/v1/chat/completions",
            request: Transcripts.openAIChatRequestStreamWithUsage,
            contentType: sse,
            response: body
        )
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
            "https://api.openai.com/v1/completions",
            request: #"{"model":"gpt-3.5-turbo-instruct","prompt":"x","stream":true}"#,
            contentType: sse,
            response: Transcripts.openAICompletionsStream
        )
        let (b, deltas) = analyzeEveryWay(streamed)
        #expect(b.text == "Once upon")
        #expect(deltas == "Once upon")
        #expect(b.finishReason == "stop")
        #expect(b.complete)
    }

    @Test func embeddings() throws {
        let ex = try makeExchange(
            "https://api.openai.com/v1/embeddings",
            request: #"{"model":"text-embedding-3-small","input":"hi"}"#,
            response: Transcripts.openAIEmbeddingsBody
        )
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
        #expect(a.modelSource == "response")
        #expect(a.text == "Bonjour")
        #expect(a.complete)

        let err = try makeExchange(url, request: #"{"messages":[]}"#, status: 404, response: Transcripts.azureErrorBody)
        let (b, _) = analyzeEveryWay(err)
        #expect(b.error == TraceError(type: "DeploymentNotFound", message: "The API deployment for this resource does not exist."))
        // No model on the wire: the deployment name stands in, marked as such (and unpriced: it is no model's name).
        #expect(b.model == "gpt4o-prod")
        #expect(b.modelSource == "deployment")
        #expect(PriceTable.bundled.cost(model: "gpt4o-prod", provider: "azure-openai", usage: Usage(inputTokens: 10, outputTokens: 1)) == nil)
    }

    @Test func azureRateLimitErrorNamesTheDeploymentAsModel() throws {
        let url = "https://myres.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"
        let err = try makeExchange(
            url,
            request: #"{"messages":[{"role":"user","content":"hi"}]}"#,
            status: 429,
            response: Transcripts.azureRateLimitBody
        )
        let (a, _) = analyzeEveryWay(err)
        #expect(a.provider == "azure-openai")
        #expect(a.model == "gpt-4o")
        #expect(a.modelSource == "deployment")
        #expect(a.error?.type == "429")
        #expect(a.error?.message.contains("token rate limit") == true)
        #expect(a.usage == .unknown)
    }

    @Test func azureAnswerWithoutModelIsPricedByADeploymentNamedAfterAModel() throws {
        let url = "https://myres.openai.azure.com/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21"
        let ex = try makeExchange(url, request: #"{"messages":[{"role":"user","content":"hi"}]}"#, response: Transcripts.azureBodyWithoutModel)
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.model == "gpt-4o-mini")
        #expect(a.modelSource == "deployment")
        #expect(a.text == "Hello!")
        #expect(a.usage == Usage(inputTokens: 9, outputTokens: 3, totalTokens: 12))
        let cost = PriceTable.bundled.cost(model: a.model, provider: a.provider, usage: a.usage)
        #expect(cost != nil && cost != 0)

        // A model in the request wins over the deployment name.
        let named = try makeExchange(url, request: #"{"model":"gpt-4o-mini-2024-07-18","messages":[]}"#, response: Transcripts.azureBodyWithoutModel)
        let (b, _) = analyzeEveryWay(named)
        #expect(b.model == "gpt-4o-mini-2024-07-18")
        #expect(b.modelSource == "request")
    }

    @Test func ollamaOpenAICompatible() throws {
        let ex = try makeExchange(
            "http://localhost:11434/v1/chat/completions",
            request: #"{"model":"qwen3:8b","stream":true}"#,
            contentType: sse,
            response: Transcripts.ollamaOpenAIStream
        )
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.provider == "ollama")
        #expect(a.endpoint == "chat.completions")
        #expect(a.text == "Yes.")
        #expect(a.thinking == "Hmm.")
        #expect(a.usage == Usage(inputTokens: 12, outputTokens: 9, totalTokens: 21))
    }

    @Test func groqUsageInXGroq() throws {
        let ex = try makeExchange(
            "https://api.groq.com/openai/v1/chat/completions",
            request: #"{"model":"llama-3.3-70b-versatile","stream":true}"#,
            contentType: sse,
            response: Transcripts.groqStream
        )
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.provider == "groq")
        #expect(a.usage == Usage(inputTokens: 40, outputTokens: 1, totalTokens: 41))
    }

    @Test func crlfStreamWithoutContentTypeIsSniffedFromTheRequest() throws {
        let ex = try makeExchange(
            "http://10.1.2.3:8000/v1/chat/completions",
            request: #"{"model":"local","stream":true}"#,
            contentType: nil,
            response: Transcripts.crlf(Transcripts.openAIChatStreamWithoutUsage)
        )
        let (a, deltas) = analyzeEveryWay(ex)
        #expect(a.provider == "openai-compatible")
        #expect(a.text == "Hi")
        #expect(deltas == "Hi")
        #expect(a.complete)
    }

    @Test func streamSentAsPlainJSONContentTypeIsStillRead() throws {
        let ex = try makeExchange(
            "http://10.1.2.3:8000/v1/chat/completions",
            request: #"{"model":"local"}"#,
            contentType: "application/json",
            response: Transcripts.openAIChatStreamWithoutUsage
        )
        let (a, deltas) = analyzeEveryWay(ex)
        #expect(a.text == "Hi")
        #expect(deltas == "")
        #expect(a.complete)
    }

    // MARK: - n > 1

    @Test func streamWithTwoChoicesKeepsBothAndPublishesOnlyChoiceZero() throws {
        let ex = try makeExchange(
            "https://api.openai.com/v1/chat/completions",
            request: #"{"model":"gpt-4o-mini","n":2,"stream":true}"#,
            contentType: sse,
            response: Transcripts.openAIChatStreamTwoChoices
        )
        let (a, deltas) = analyzeEveryWay(ex)
        #expect(a.text == "Roses are red.")
        #expect(deltas == "Roses are red.")
        #expect(a.finishReason == "stop")
        #expect(
            a.choices == [
                Choice(index: 0, text: "Roses are red.", finishReason: "stop"),
                Choice(index: 1, text: "Violets are blue, sugar is sweet", finishReason: "length"),
            ]
        )
        #expect(a.usage.totalTokens == 30)
        #expect(a.complete)
    }

    @Test func choiceOneDeltasNeverMatchAChoiceZeroTemplate() throws {
        // Many same-shaped deltas of both choices: choice 0's are read through its template, choice 1's never.
        var events: [String] = []
        for i in 0..<20 {
            events.append(EventTemplateTests.openAIChunk("\"a\(i) \"", index: "0"))
            events.append(EventTemplateTests.openAIChunk("\"b\(i) \"", index: "1"))
            events.append(EventTemplateTests.openAIChunk("\"c\(i) \"", index: "10"))
        }
        let body = (events + ["[DONE]"]).map { "data: \($0)\n\n" }.joined()
        let ex = try makeExchange("https://api.openai.com/v1/chat/completions", contentType: sse, response: body)
        let (a, deltas) = analyzeEveryWay(ex)
        let expected = (0..<20).map { "a\($0) " }.joined()
        #expect(a.text == expected)
        #expect(deltas == expected)
        #expect(a.choices?.map(\.index) == [0, 1, 10])
        #expect(a.choices?[1].text == (0..<20).map { "b\($0) " }.joined())
        #expect(a.choices?[2].text == (0..<20).map { "c\($0) " }.joined())
        #expect(a.choices?.allSatisfy { $0.finishReason == nil } == true)
    }

    @Test func bodyWithThreeChoices() throws {
        let ex = try makeExchange(
            "https://api.openai.com/v1/chat/completions",
            request: #"{"model":"gpt-4o","n":3}"#,
            response: Transcripts.openAIChatBodyThreeChoices
        )
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.text == "Heads.")
        #expect(a.finishReason == "stop")
        #expect(
            a.choices == [
                Choice(index: 0, text: "Heads.", finishReason: "stop"),
                Choice(index: 1, text: "Tails.", finishReason: "stop"),
                Choice(index: 2, text: "I can't help with that.", finishReason: "stop"),
            ]
        )
        #expect(a.complete)
    }

    @Test func legacyCompletionsWithTwoChoicesInOneChunk() throws {
        let ex = try makeExchange(
            "https://api.openai.com/v1/completions",
            request: #"{"model":"gpt-3.5-turbo-instruct","n":2,"stream":true}"#,
            contentType: sse,
            response: Transcripts.completionsStreamTwoChoices
        )
        let (a, deltas) = analyzeEveryWay(ex)
        #expect(a.endpoint == "completions")
        #expect(a.text == "Once upon")
        #expect(deltas == "Once upon")
        #expect(
            a.choices == [Choice(index: 0, text: "Once upon", finishReason: "length"), Choice(index: 1, text: "There was", finishReason: "length")]
        )
    }

    @Test func oneChoiceGivesNoChoicesList() throws {
        let ex = try makeExchange(
            "https://api.openai.com/v1/chat/completions",
            request: Transcripts.openAIChatRequestStreamWithUsage,
            contentType: sse,
            response: Transcripts.openAIChatStreamWithUsage
        )
        #expect(analyzeEveryWay(ex).0.choices == nil)
    }
}
