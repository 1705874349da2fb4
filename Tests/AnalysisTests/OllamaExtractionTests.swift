import Foundation
import Testing

@testable import LLMTraceModel

@Suite struct OllamaExtractionTests {
    @Test func chatStreamWithThinkingAndToolCall() throws {
        let ex = try makeExchange(
            "http://localhost:11434/api/chat",
            request: #"{"model":"qwen3","messages":[],"think":true}"#,
            contentType: "application/x-ndjson",
            response: Transcripts.ollamaChatStream
        )
        let (a, deltas) = analyzeEveryWay(ex)
        #expect(a.provider == "ollama")
        #expect(a.endpoint == "ollama.chat")
        #expect(a.stream)
        #expect(a.model == "qwen3")
        #expect(a.text == "The sky is blue.")
        #expect(deltas == a.text)
        #expect(a.thinking == "Let me think.")
        #expect(a.toolCalls == [ToolCall(id: nil, name: "get_weather", arguments: #"{"city":"Toronto","unit":"celsius"}"#, type: "function")])
        #expect(a.finishReason == "stop")
        #expect(a.usage == Usage(inputTokens: 26, outputTokens: 282, totalTokens: 308))
        #expect(a.complete)
    }

    @Test func generateStreamWithoutPromptCount() throws {
        let ex = try makeExchange(
            "http://localhost:11434/api/generate",
            request: #"{"model":"llama3.2","prompt":"Why?"}"#,
            contentType: "application/x-ndjson",
            response: Transcripts.ollamaGenerateStream
        )
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.endpoint == "ollama.generate")
        #expect(a.text == "The sky")
        // A cached prompt: Ollama omits prompt_eval_count, so input (and total) stay unknown.
        #expect(a.usage == Usage(outputTokens: 290))
        #expect(a.complete)
    }

    @Test func nonStreamedChatBodyWithoutTrailingNewline() throws {
        let ex = try makeExchange(
            "http://localhost:11434/api/chat",
            request: #"{"model":"llama3.2","stream":false}"#,
            response: Transcripts.ollamaChatBody
        )
        let (a, deltas) = analyzeEveryWay(ex)
        #expect(a.text == "Hello! How are you today?")
        #expect(!a.stream)
        #expect(deltas == "")
        #expect(a.usage == Usage(inputTokens: 26, outputTokens: 298, totalTokens: 324))
        #expect(a.complete)
    }

    @Test func embed() throws {
        let ex = try makeExchange(
            "http://localhost:11434/api/embed",
            request: #"{"model":"all-minilm","input":"x"}"#,
            response: Transcripts.ollamaEmbedBody
        )
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.endpoint == "ollama.embed")
        #expect(a.usage == Usage(inputTokens: 8))
        #expect(a.complete)
    }

    @Test func errorBodyAndErrorLine() throws {
        let ex = try makeExchange(
            "http://localhost:11434/api/chat",
            request: #"{"model":"llama9"}"#,
            status: 404,
            response: Transcripts.ollamaErrorBody
        )
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.error == TraceError(type: "error", message: #"model "llama9" not found, try pulling it first"#))
        #expect(a.model == "llama9")

        let streamed = try makeExchange(
            "http://localhost:11434/api/generate",
            request: #"{"model":"llama3.2"}"#,
            contentType: "application/x-ndjson",
            response: Transcripts.ollamaStreamWithError
        )
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
