import Foundation
import Testing

@testable import Analysis
@testable import LLMTraceModel

/// What a request says about itself before the response: read from its top-level keys only.
@Suite struct RequestPreviewTests {
    static func preview(_ url: String, _ body: String, headers: [HeaderField] = []) throws -> RequestPreview {
        let parts = url.split(separator: "://", maxSplits: 1)
        let route = try ProxyRoute.parse("/proxy/test/\(parts[0])/\(parts[1])")
        return RequestPreview(route: route, requestHeaders: headers, requestBody: Array(body.utf8))
    }

    @Test func openAIChatNamesItsModelAndStreamFlag() throws {
        let body = #"{"messages":[{"role":"user","content":"say \"model\": no","model":"inner"}],"model":"gpt-4o","stream":true}"#
        #expect(
            try Self.preview("https://api.openai.com/v1/chat/completions", body)
                == RequestPreview(provider: "openai", endpoint: "chat.completions", model: "gpt-4o", stream: true)
        )
        let plain = #"{ "model" : "gpt-4o-mini" , "stream" : false, "n": 2, "x": null }"#
        #expect(try Self.preview("https://api.openai.com/v1/chat/completions", plain).model == "gpt-4o-mini")
        #expect(try Self.preview("https://api.openai.com/v1/chat/completions", plain).stream == false)
    }

    @Test func theModelComesFromThePathForGemini() throws {
        let p = try Self.preview(
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse",
            #"{"contents":[]}"#
        )
        #expect(p == RequestPreview(provider: "gemini", endpoint: "streamGenerateContent", model: "gemini-2.0-flash", stream: true))
    }

    @Test func ollamaStreamsUnlessTheRequestSaysNot() throws {
        #expect(try Self.preview("http://localhost:11434/api/chat", #"{"model":"llama3","messages":[]}"#).stream)
        #expect(try !Self.preview("http://localhost:11434/api/chat", #"{"model":"llama3","stream":false}"#).stream)
    }

    @Test func theBodyShapeDecidesAnUnknownPath() throws {
        let p = try Self.preview(
            "https://example.com/custom",
            #"{"model":"m1","messages":[{"role":"user"}]}"#,
            headers: [HeaderField(name: "anthropic-version", value: "2023-06-01")]
        )
        #expect(p.provider == "anthropic")
        #expect(p.endpoint == "messages")
        #expect(p.model == "m1")
    }

    @Test func escapedAndUnicodeModelsDecode() throws {
        #expect(try Self.preview("https://api.openai.com/v1/chat/completions", #"{"model":"a\/b\u00e9"}"#).model == "a/bé")
        #expect(try Self.preview("https://api.openai.com/v1/chat/completions", #"{"model":"模型"}"#).model == "模型")
        #expect(try Self.preview("https://api.openai.com/v1/chat/completions", #"{"model":""}"#).model == nil)
    }

    @Test func cutAndInvalidBodiesGiveWhatWasReadBeforeTheCut() throws {
        let url = "https://api.openai.com/v1/chat/completions"
        #expect(try Self.preview(url, #"{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"lo"#).model == "gpt-4o")
        #expect(try Self.preview(url, #"{"messages":[{"role":"user","content":"lo"#).model == nil)
        #expect(try Self.preview(url, #"[1,2]"#).model == nil)
        #expect(try Self.preview(url, "").model == nil)
        #expect(try Self.preview(url, "not json").provider == "openai")
        #expect(try Self.preview(url, #"{"stream":tr"#).stream == false)
    }

    @Test func agreesWithAFullParseOnEveryPrefixOfABody() throws {
        // Every prefix of a body (a body cut at the capture limit): the scan never reads past it, never
        // crashes, and on the whole body agrees with JSONSerialization.
        let body =
            #"{"temperature":0.2,"messages":[{"role":"user","content":"{\"model\":\"x\"} [nested] \\"}],"tools":[{"type":"function"}],"model":"gpt-4o","stream":true}"#
        let bytes = Array(body.utf8)
        for n in 0...bytes.count {
            let scan = TopLevelJSONScan(Array(bytes.prefix(n)))
            #expect(scan.model == nil || scan.model == "gpt-4o")
        }
        let scan = TopLevelJSONScan(bytes)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(Set(scan.shape?.keys.map { $0 } ?? []) == Set(parsed.keys))
        #expect(scan.model == parsed["model"] as? String)
        #expect(scan.stream == parsed["stream"] as? Bool)
        #expect(scan.shape?["messages"] is [Any])
        #expect(scan.shape?["tools"] is [Any])
    }
}
