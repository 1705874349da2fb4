import FuzzSupport

@testable import Analysis
@testable import LLMTraceModel

/// Fuzzes `StreamAccumulator` fed a whole provider response. The first input byte picks a scenario
/// (provider route, content type, request body, status); the rest is the response body. Checks, as
/// `analyzeEveryWay` in the unit tests does:
/// - the analysis is the same fed whole, in 1-byte pieces and in input-derived pieces, and equals
///   `ExchangeAnalyzer.analyze`;
/// - the text returned piece by piece is the same for every cutting and is a prefix of the final text;
/// - the plain JSON path (`usesEventTemplates = false`) gives the same analysis and deltas as the
///   template fast path.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    guard let selector = bytes.first else { return 0 }
    let scenario = Scenario.all[Int(selector) % Scenario.all.count]
    let body = Array(bytes.dropFirst())
    guard let exchange = scenario.exchange(body: body) else { return 0 }
    let expected = ExchangeAnalyzer.analyze(exchange)
    var firstDeltas: String?
    for templates in [true, false] {
        for split in Split.allCases {
            var accumulator = StreamAccumulator(exchange: exchange)
            accumulator.usesEventTemplates = templates
            var deltas = ""
            feedPieces(body, split) { deltas += accumulator.feed($0) }
            let result = accumulator.finish()
            let context = "scenario \(scenario.url) \(scenario.contentType ?? "-"), fed as \(split), templates \(templates)\nbody: \(show(body))"
            if result != expected {
                fuzzFailure("analysis differs from ExchangeAnalyzer.analyze", "\(context)\nexpected: \(expected)\ngot:      \(result)")
            }
            if !(expected.text ?? "").hasPrefix(deltas) {
                fuzzFailure(
                    "streamed text is not a prefix of the final text",
                    "\(context)\ntext: \(String(reflecting: expected.text))\ndeltas: \(String(reflecting: deltas))"
                )
            }
            if let firstDeltas {
                if deltas != firstDeltas {
                    fuzzFailure(
                        "streamed text depends on cutting or templates",
                        "\(context)\nfirst: \(String(reflecting: firstDeltas))\ngot:   \(String(reflecting: deltas))"
                    )
                }
            } else {
                firstDeltas = deltas
            }
        }
    }
    return 0
}

struct Scenario {
    var url: String
    var request: String = ""
    var status: Int? = 200
    var contentType: String? = "text/event-stream"

    static let all: [Scenario] = [
        Scenario(url: "https://api.openai.com/v1/chat/completions", request: #"{"model":"gpt-4o","stream":true}"#),
        Scenario(url: "https://api.openai.com/v1/responses", request: #"{"model":"o3","stream":true}"#),
        Scenario(url: "https://api.anthropic.com/v1/messages", request: #"{"model":"claude-sonnet-4","stream":true}"#),
        Scenario(url: "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"),
        Scenario(
            url: "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent",
            contentType: "application/json"
        ),
        Scenario(url: "http://localhost:11434/api/chat", request: #"{"model":"llama3"}"#, contentType: "application/x-ndjson"),
        Scenario(url: "http://localhost:11434/api/generate", request: #"{"model":"llama3"}"#, contentType: "application/json"),
        Scenario(url: "https://api.openai.com/v1/chat/completions", request: #"{"model":"gpt-4o"}"#, contentType: "application/json"),
        Scenario(url: "https://api.anthropic.com/v1/messages", status: 529, contentType: "application/json"),
        Scenario(url: "https://api.openai.com/v1/chat/completions", request: #"{"stream":true}"#, contentType: nil),
        Scenario(url: "https://example.com/whatever", contentType: "text/plain"),
        Scenario(url: "http://localhost:11434/v1/chat/completions", request: #"{"model":"qwen3","stream":true}"#),
    ]

    func exchange(body: [UInt8]) -> Exchange? {
        let parts = url.split(separator: "://", maxSplits: 1)
        guard parts.count == 2, let route = try? ProxyRoute.parse("/proxy/fuzz/\(parts[0])/\(parts[1])") else { return nil }
        let headers = contentType.map { [HeaderField(name: "Content-Type", value: $0)] } ?? []
        return Exchange(
            method: "POST",
            route: route,
            requestHeaders: [],
            requestBody: Array(request.utf8),
            status: status,
            responseHeaders: headers,
            responseBody: body
        )
    }
}

/// The process entry point (see `runLibFuzzer`).
@_cdecl("fuzz_accumulator_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in withInput(data, size, fuzz) }
}
