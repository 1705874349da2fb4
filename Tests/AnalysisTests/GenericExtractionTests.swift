import Foundation
import TestSupport
import Testing

@testable import Analysis
@testable import LLMTraceModel

@Suite struct GenericExtractionTests {
    @Test func nonJSONErrorBody() throws {
        let ex = try makeExchange(
            "https://api.openai.com/v1/chat/completions",
            status: 502,
            contentType: "text/html",
            response: "<html><body>Bad gateway</body></html>\n"
        )
        let (a, _) = analyzeEveryWay(ex)
        #expect(a.error == TraceError(type: "http_error", message: "<html><body>Bad gateway</body></html>"))
        let empty = try makeExchange("https://api.openai.com/v1/chat/completions", status: 503, response: "")
        #expect(analyzeEveryWay(empty).0.error == TraceError(type: "http_error", message: "HTTP 503"))
    }

    @Test func otherErrorBodyShapes() throws {
        let mistral = try makeExchange(
            "https://api.mistral.ai/v1/chat/completions",
            status: 422,
            response: #"{"object":"error","message":"Invalid model: x","type":"invalid_model","param":null,"code":"1500"}"#
        )
        #expect(analyzeEveryWay(mistral).0.error == TraceError(type: "invalid_model", message: "Invalid model: x"))
        let fastAPI = try makeExchange("http://10.0.0.1:8000/v1/chat/completions", status: 404, response: #"{"detail":"Not Found"}"#)
        #expect(analyzeEveryWay(fastAPI).0.error == TraceError(type: "error", message: "Not Found"))
        let codeOnly = try makeExchange(
            "https://api.openai.com/v1/chat/completions",
            status: 429,
            response: #"{"error":{"code":429,"details":"slow down"}}"#
        )
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
            "http://gateway.local/x",
            contentType: sse,
            response: "data: {\"error\":{\"type\":\"boom\",\"message\":\"m\"}}\n\ndata: [1]\n\n"
        )
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
            "https://api.anthropic.com/v1/messages",
            contentType: sse,
            response: Transcripts.anthropicStream
        )
        var acc = StreamAccumulator(
            method: ex.method,
            route: ex.route,
            requestHeaders: ex.requestHeaders,
            requestBody: ex.requestBody,
            status: ex.status,
            responseHeaders: ex.responseHeaders
        )
        var streamed = ""
        for piece in Chunking.random(ex.responseBody, seed: 99, maxPiece: 40) { streamed += acc.feed(piece) }
        let result = acc.finish()
        #expect(result == ExchangeAnalyzer.analyze(ex))
        #expect(streamed == "Okay, let me check the weather in San Francisco.")
    }
}
