import Foundation
import TestSupport
import Testing

@testable import Analysis
@testable import LLMTraceModel

@Suite struct EventTemplateTests {
    /// Feeds SSE `events` (one data payload each) through an accumulator with and without templates.
    func compare(_ url: String, _ events: [String], contentType: String = "text/event-stream", ndjson: Bool = false) throws -> ExchangeAnalysis {
        let body = ndjson ? events.map { $0 + "\n" }.joined() : events.map { "data: \($0)\n\n" }.joined()
        let ex = try makeExchange(url, contentType: contentType, response: body)
        return analyzeEveryWay(ex).0
    }

    static func openAIChunk(
        _ content: String,
        model: String = "gpt-4o-2024-08-06",
        id: String = "chatcmpl-1",
        created: String = "1727000000",
        index: String = "0",
        extra: String = ""
    ) -> String {
        #"{"id":"\#(id)","object":"chat.completion.chunk","created":\#(created),"model":"\#(model)","choices":[{"index":\#(index),"delta":{"content":\#(content)},"logprobs":null,"finish_reason":null}]\#(extra)}"#
    }

    @Test func hotOpenAIChunksWithEscapesUnicodeAndOddHoles() throws {
        let events = [
            Self.openAIChunk(#""Hello""#),
            Self.openAIChunk(#"" wörld""#),  // non-ASCII text
            Self.openAIChunk(#""\n\"quoted\" \u00e9 \ud83d\udc4b \\ \/""#),  // escapes decoded by Foundation
            Self.openAIChunk(#""x""#, model: "gpt-4o-mini"),  // another model: noted
            Self.openAIChunk(#""y""#, model: #"g\u0070t"#),  // escaped model: plain path (Foundation reads "gpt")
            Self.openAIChunk(#""z""#, id: "chatcmpl-é"),  // non-ASCII free value: plain path reads it
            Self.openAIChunk(#""1""#, created: "-5"),  // signed number in a free hole: plain path reads it
            Self.openAIChunk(#""2""#, created: "0"),
            Self.openAIChunk(#""3""#, created: "0123"),  // invalid JSON number: both paths drop it
            Self.openAIChunk(#""skipped""#, index: "1"),  // second choice: fixed bytes differ, plain path ignores it
            Self.openAIChunk(#"null"#),  // a null content
            Self.openAIChunk(#""bad\u0001 control""#.replacingOccurrences(of: "\\u0001", with: "\u{01}")),  // raw control byte
            Self.openAIChunk(#""bad \x escape""#),  // invalid escape: both paths drop it
            Self.openAIChunk(#""4""#, extra: #","usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}"#),
            Self.openAIChunk(#""5""#) + " ",  // trailing space: plain path reads it
            Self.openAIChunk(#""6"#),  // cut inside the text
            "[DONE]",
        ]
        let a = try compare("https://api.openai.com/v1/chat/completions", events)
        #expect(a.text == "Hello wörld\n\"quoted\" é 👋 \\ /xyz1245")
        #expect(a.model == "gpt-4o-2024-08-06")
        #expect(a.usage == Usage(inputTokens: 1, outputTokens: 2, totalTokens: 3))
        #expect(a.complete)
    }

    @Test func modelChangesAreNoted() throws {
        let a = try compare(
            "https://api.openai.com/v1/chat/completions",
            [Self.openAIChunk(#""a""#), Self.openAIChunk(#""b""#), Self.openAIChunk(#""c""#, model: "later-model"), "[DONE]"]
        )
        #expect(a.model == "later-model")
        #expect(a.text == "abc")
    }

    @Test func reasoningDeltasAreThinking() throws {
        func chunk(_ delta: String) -> String {
            #"{"id":"d","object":"chat.completion.chunk","created":1,"model":"deepseek-reasoner","choices":[{"index":0,"delta":\#(delta),"finish_reason":null}]}"#
        }
        let a = try compare(
            "https://api.deepseek.com/chat/completions",
            [
                chunk(#"{"content":null,"reasoning_content":"think "}"#), chunk(#"{"content":null,"reasoning_content":"more"}"#),
                chunk(#"{"reasoning":"alt "}"#), chunk(#"{"reasoning":"path"}"#),
                chunk(#"{"content":"both","reasoning_content":"at once"}"#), chunk(#"{"content":"x","refusal":"no"}"#),
                chunk(#"{"content":"answer"}"#), "[DONE]",
            ]
        )
        #expect(a.thinking == "think morealt pathat once")
        #expect(a.text == "bothxnoanswer")
    }

    @Test func manyInterleavedShapes() throws {
        // More hot shapes than the cache holds, interleaved, with random text: both paths must agree.
        var rng = SeededRandom(seed: 11)
        var events: [String] = []
        var expected = ""
        let alphabet = Array(#"ab é👋\"\\\n"#)
        for i in 0..<400 {
            var piece = ""
            for _ in 0..<Int.random(in: 0...6, using: &rng) { piece.append(alphabet[Int.random(in: 0..<alphabet.count, using: &rng)]) }
            let json = String(decoding: try JSONSerialization.data(withJSONObject: piece, options: .fragmentsAllowed), as: UTF8.self)
            events.append(Self.openAIChunk(json, id: "id\(i % 6)", created: "\(i % 5 * 1000)", extra: i % 3 == 0 ? #","obfuscation":"o\#(i)""# : ""))
            expected += piece
        }
        events.append("[DONE]")
        let a = try compare("http://10.0.0.1/v1/chat/completions", events)
        #expect(a.text == expected)
    }

    @Test func anthropicResponsesAndOllamaHotEvents() throws {
        let anthropic = try compare(
            "https://api.anthropic.com/v1/messages",
            [
                #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hm"}}"#,
                #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"m"}}"#,
                #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"A"}}"#,
                #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"B"}}"#,
                #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"C","text":"D"}}"#,
                #"{"type":"message_stop"}"#,
            ]
        )
        #expect(anthropic.thinking == "hmm")
        #expect(anthropic.text?.hasPrefix("AB") == true)
        #expect(anthropic.complete)

        let responses = try compare(
            "https://api.openai.com/v1/responses",
            [
                #"{"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi"}"#,
                #"{"type":"response.output_text.delta","sequence_number":2,"item_id":"msg_1","output_index":0,"content_index":0,"delta":" you"}"#,
                #"{"type":"response.reasoning_summary_text.delta","sequence_number":3,"item_id":"rs_1","output_index":0,"summary_index":0,"delta":"r"}"#,
                #"{"type":"response.reasoning_summary_text.delta","sequence_number":4,"item_id":"rs_1","output_index":0,"summary_index":0,"delta":"s"}"#,
            ]
        )
        #expect(responses.text == "Hi you")
        #expect(responses.thinking == "rs")

        let ollama = try compare(
            "http://localhost:11434/api/chat",
            [
                #"{"model":"llama3.2","created_at":"2025-01-01T00:00:00.1Z","message":{"role":"assistant","content":"Hel"},"done":false}"#,
                #"{"model":"llama3.2","created_at":"2025-01-01T00:00:00.2Z","message":{"role":"assistant","content":"lo"},"done":false}"#,
                #"{"model":"llama3.2","created_at":"2025-01-01T00:00:00.3Z","message":{"role":"assistant","content":""},"done":true,"eval_count":2}"#,
            ],
            contentType: "application/x-ndjson",
            ndjson: true
        )
        #expect(ollama.text == "Hello")
        #expect(ollama.usage == Usage(outputTokens: 2))
        #expect(ollama.complete)

        let generate = try compare(
            "http://localhost:11434/api/generate",
            [
                #"{"model":"llama3.2","created_at":"t1","response":"A","done":false}"#,
                #"{"model":"llama3.2","created_at":"t2","response":"B","done":false}"#,
            ],
            contentType: "application/x-ndjson",
            ndjson: true
        )
        #expect(generate.text == "AB")
        #expect(!generate.complete)
    }

    @Test func geminiHotChunksCarryUsage() throws {
        func chunk(_ text: String, _ usage: String, model: String = "gemini-2.5-flash") -> String {
            #"{"candidates": [{"content": {"parts": [{"text": \#(text)}],"role": "model"},"index": 0}],"usageMetadata": {\#(usage)},"modelVersion": "\#(model)","responseId": "r\#(text.count)"}"#
        }
        let events = [
            chunk(#""A""#, #""promptTokenCount": 10,"totalTokenCount": 10"#),
            chunk(#""B""#, #""promptTokenCount": 10,"candidatesTokenCount": 1,"totalTokenCount": 11"#),
            chunk(#""C\n""#, #""promptTokenCount": 10,"candidatesTokenCount": 2,"totalTokenCount": 12"#),
            chunk(#""D""#, #""promptTokenCount": 10,"candidatesTokenCount": 03,"totalTokenCount": 13"#),  // invalid number: dropped
            chunk(#""E""#, #""promptTokenCount": 10,"candidatesTokenCount": 1234567890123456,"totalTokenCount": 14"#),
            chunk(#""F""#, #""promptTokenCount": 10,"candidatesTokenCount": 5,"totalTokenCount": 15"#, model: "gemini-2.5-flash-002"),
            chunk(#""G""#, #""promptTokenCount": 10,"candidatesTokenCount": 6,"totalTokenCount": 16,"thoughtsTokenCount": 4"#),
            chunk(#""H""#, #""promptTokenCount": 10,"candidatesTokenCount": 7,"totalTokenCount": 21,"thoughtsTokenCount": 4"#),
            chunk(#""I""#, #""promptTokenCount": 10,"candidatesTokenCount": 7.0,"totalTokenCount": 22,"thoughtsTokenCount": 4"#),
        ]
        let a = try compare(GeminiExtractionTests.sseURL, events)
        #expect(a.text == "ABC\nEFGHI")
        #expect(a.model == "gemini-2.5-flash")  // G, H and I name the first model again
        #expect(a.usage == Usage(inputTokens: 10, outputTokens: 11, reasoningTokens: 4, totalTokens: 22))
        #expect(!a.complete)
    }

    func builds(_ text: String, _ shape: EventTemplate.Shape) -> Bool {
        Array(text.utf8).withUnsafeBufferPointer { EventTemplate($0, shape: shape) } != nil
    }

    @Test func templatesNeedTheTextExactlyOnce() {
        let bytes = Array(#"{"content":"a","x":{"content":"a"}}"#.utf8)
        let shape = EventTemplate.Shape(textKey: "content", text: "a", effect: .text)
        #expect(!builds(String(decoding: bytes, as: UTF8.self), shape))
        let wrongText = EventTemplate.Shape(textKey: "content", text: "b", effect: .text)
        #expect(!builds(#"{"content":"a"}"#, wrongText))
        let wrongModel = EventTemplate.Shape(textKey: "content", text: "a", modelKey: "model", model: "m", effect: .text)
        #expect(!builds(#"{"model":"n","content":"a"}"#, wrongModel))
        #expect(!builds(#"{"content":"a"#, shape))
        #expect(builds(#"{"content":"a"}"#, shape))
    }
}
