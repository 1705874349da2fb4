import Foundation
import TestSupport
import Testing

@testable import Analysis
@testable import LLMTraceModel

/// The content type of a server-sent event stream, as providers send it.
let sse = "text/event-stream; charset=utf-8"

/// A captured exchange built from a URL and bodies, the way the proxy would hand it over.
func makeExchange(
    _ url: String,
    request: String = "",
    status: Int? = 200,
    contentType: String? = "application/json",
    response: String,
    requestHeaders: [HeaderField] = []
) throws -> Exchange {
    let parts = url.split(separator: "://", maxSplits: 1)
    let scheme = String(parts[0])
    let route = try ProxyRoute.parse("/proxy/test/\(scheme)/\(parts[1])")
    var headers: [HeaderField] = []
    if let contentType { headers.append(HeaderField(name: "Content-Type", value: contentType)) }
    return Exchange(
        method: "POST",
        route: route,
        requestHeaders: requestHeaders,
        requestBody: Array(request.utf8),
        status: status,
        responseHeaders: headers,
        responseBody: Array(response.utf8)
    )
}

/// Analyses an exchange whole and under every chunking (and without event templates), requiring identical
/// results, and requiring the
/// text returned piece by piece to be the start of (for a proper stream: all of) the final text.
/// Returns the analysis and the streamed deltas of the one-byte-at-a-time run.
@discardableResult
func analyzeEveryWay(_ exchange: Exchange, sourceLocation: SourceLocation = #_sourceLocation) -> (ExchangeAnalysis, String) {
    let whole = ExchangeAnalyzer.analyze(exchange)
    var byteDeltas = ""
    for (n, pieces) in Chunking.all(exchange.responseBody).enumerated() {
        var accumulator = StreamAccumulator(exchange: exchange)
        var deltas = ""
        for piece in pieces { deltas += accumulator.feed(piece) }
        let result = accumulator.finish()
        #expect(result == whole, "chunking #\(n) differs", sourceLocation: sourceLocation)
        #expect((whole.text ?? "").hasPrefix(deltas), "chunking #\(n) deltas", sourceLocation: sourceLocation)
        if n == 1 { byteDeltas = deltas }
    }
    // Hot events skip JSON parsing through learned templates: the plain path must give the same result.
    var plain = StreamAccumulator(exchange: exchange)
    plain.usesEventTemplates = false
    var plainDeltas = ""
    for piece in Chunking.random(exchange.responseBody, seed: 7, maxPiece: 50) { plainDeltas += plain.feed(piece) }
    #expect(plain.finish() == whole, "without event templates", sourceLocation: sourceLocation)
    #expect(plainDeltas == byteDeltas, "deltas without event templates", sourceLocation: sourceLocation)
    // JSON is read by JSONValueParser before Foundation's JSONSerialization: Foundation alone must agree.
    var foundation = StreamAccumulator(exchange: exchange)
    foundation.usesEventTemplates = false
    foundation.usesFastJSON = false
    var foundationDeltas = ""
    for piece in Chunking.random(exchange.responseBody, seed: 11, maxPiece: 50) { foundationDeltas += foundation.feed(piece) }
    #expect(foundation.finish() == whole, "with Foundation's JSON reader only", sourceLocation: sourceLocation)
    #expect(foundationDeltas == byteDeltas, "deltas with Foundation's JSON reader only", sourceLocation: sourceLocation)
    return (whole, byteDeltas)
}
