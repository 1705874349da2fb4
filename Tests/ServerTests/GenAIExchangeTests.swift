import Foundation
import Testing

@testable import LLMTraceModel
@testable import Server

/// The GenAI semantic-convention attributes an exchange's span carries, and its optional content.
@Suite struct GenAIExchangeTests {
    static func record(
        host: String = "api.openai.com",
        scheme: String = "https",
        provider: String? = "openai",
        endpoint: String? = "chat.completions",
        model: String? = "gpt-4o-2024-08-06",
        modelSource: String? = "response",
        status: Int? = 200,
        requestBody: String? = #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#
    ) -> TraceRecord {
        var s = TraceSummary(id: "r1", env: "dev", method: "POST", scheme: scheme, host: host, path: "/v1/chat/completions", startedAt: Date())
        s.provider = provider
        s.endpoint = endpoint
        s.model = model
        s.modelSource = modelSource
        s.status = status
        s.usage = Usage(inputTokens: 12, outputTokens: 3)
        s.text = "Hello there"
        s.finishReason = "stop"
        s.complete = true
        return TraceRecord(
            summary: s,
            requestBody: requestBody.map { CapturedBody(bytes: Array($0.utf8), size: $0.utf8.count, truncated: false) }
        )
    }

    @Test func anOpenAIChatFollowsTheConventions() {
        let g = GenAIExchange(Self.record())
        #expect(g.operationName == "chat")
        #expect(g.providerName == "openai")
        #expect(g.requestModel == "gpt-4o")
        #expect(g.responseModel == "gpt-4o-2024-08-06")
        #expect(g.serverAddress == "api.openai.com")
        #expect(g.serverPort == 443)
        #expect(g.inputTokens == 12 && g.outputTokens == 3)
        #expect(g.finishReasons == ["stop"])
        #expect(g.errorType == nil)
        #expect(g.spanName == "chat gpt-4o")
    }

    @Test func providersAndOperationsTakeTheirRegisteredNames() {
        #expect(GenAIExchange.providerName("gemini") == "gcp.gemini")
        #expect(GenAIExchange.providerName("azure-openai") == "azure.ai.openai")
        #expect(GenAIExchange.providerName("mistral") == "mistral_ai")
        #expect(GenAIExchange.providerName("xai") == "x_ai")
        #expect(GenAIExchange.providerName("anthropic") == "anthropic")
        #expect(GenAIExchange.operationName(endpoint: "messages") == "chat")
        #expect(GenAIExchange.operationName(endpoint: "generateContent") == "generate_content")
        #expect(GenAIExchange.operationName(endpoint: "embeddings") == "embeddings")
        #expect(GenAIExchange.operationName(endpoint: "completions") == "text_completion")
        #expect(GenAIExchange.operationName(endpoint: nil) == "other")
    }

    @Test func theUpstreamAddressAndErrorsAreKept() {
        let local = GenAIExchange(
            Self.record(host: "[::1]:11434", scheme: "http", provider: "ollama", model: "llama3", modelSource: "request", status: 500)
        )
        #expect(local.serverAddress == "::1")
        #expect(local.serverPort == 11434)
        #expect(local.requestModel == "llama3" && local.responseModel == nil)
        #expect(local.errorType == "500")
        let unreachable = GenAIExchange(Self.record(host: "127.0.0.1:9", scheme: "http", status: nil))
        #expect(unreachable.errorType == "no_response")
        var failed = Self.record(status: 429)
        failed.summary.error = TraceError(type: "rate_limit_error", message: "slow down")
        #expect(GenAIExchange(failed).errorType == "rate_limit_error")
        var choices = Self.record()
        choices.choices = [Choice(index: 0, text: "a", finishReason: "stop"), Choice(index: 1, text: "b", finishReason: "length")]
        #expect(GenAIExchange(choices).finishReasons == ["stop", "length"])
    }

    @Test func contentIsTheMessagesAndTheAnswers() {
        let record = Self.record()
        #expect(GenAIContent.inputMessages(record.requestBody) == #"[{"content":"hi","role":"user"}]"#)
        #expect(
            GenAIContent.outputMessages(record) == #"[{"finish_reason":"stop","parts":[{"content":"Hello there","type":"text"}],"role":"assistant"}]"#
        )
        let notJSON = Self.record(requestBody: "plain text")
        #expect(GenAIContent.inputMessages(notJSON.requestBody) == "plain text")
        let long = String(repeating: "x", count: GenAIContent.maxLength + 10)
        #expect(GenAIContent.inputMessages(Self.record(requestBody: long).requestBody)?.utf8.count == GenAIContent.maxLength)
    }

    @Test func traceparentIsReadFromTheRecordedHeaders() {
        let headers = [HeaderField(name: "content-type", value: "application/json"), HeaderField(name: "traceparent", value: "00-ab-cd-01")]
        #expect(HeaderFieldExtractor().extract(key: "traceparent", from: headers) == "00-ab-cd-01")
        #expect(HeaderFieldExtractor().extract(key: "tracestate", from: headers) == nil)
    }
}
