import Foundation
import Testing

@testable import Analysis
@testable import LLMTraceModel

/// What reading a request's preview costs next to the full parse the finished analysis does anyway.
/// Prints numbers only (no timing asserts); run with `LLMTRACE_MEASURE=1`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["LLMTRACE_MEASURE"] == "1"))
struct RequestPreviewCostTests {
    @Test func previewCostsLessThanAFullParse() throws {
        let message = #"{"role":"user","content":"\#(String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 20))"}"#
        for count in [1, 40, 2000] {
            let body = Array(
                #"{"messages":[\#(Array(repeating: message, count: count).joined(separator: ","))],"model":"gpt-4o","stream":true}"#.utf8
            )
            let route = try ProxyRoute.parse("/proxy/dev/https/api.openai.com/v1/chat/completions")
            let rounds = max(3, 2000 / count)
            let clock = ContinuousClock()
            let preview = clock.measure {
                for _ in 0..<rounds { _ = RequestPreview(route: route, requestHeaders: [], requestBody: body) }
            }
            let parse = clock.measure {
                for _ in 0..<rounds { _ = JSONAccess.parse(body) }
            }
            print("request body \(body.count) B: preview \(preview / rounds) per request, full parse \(parse / rounds)")
        }
    }
}
