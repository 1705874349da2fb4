import Foundation
import Testing

@testable import Shared

/// A small deterministic RNG (SplitMix64) so random chunkings reproduce.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum Chunking {
    /// Cuts `bytes` into random pieces of 1...maxPiece bytes (seeded).
    static func random(_ bytes: [UInt8], seed: UInt64, maxPiece: Int) -> [[UInt8]] {
        var rng = SeededRandom(seed: seed)
        var pieces: [[UInt8]] = []
        var i = 0
        while i < bytes.count {
            let n = Int.random(in: 1...max(1, maxPiece), using: &rng)
            let end = min(bytes.count, i + n)
            pieces.append(Array(bytes[i..<end]))
            i = end
        }
        return pieces
    }

    /// The chunkings every transcript is checked under: whole, one byte at a time, and random pieces.
    static func all(_ bytes: [UInt8]) -> [[[UInt8]]] {
        var result: [[[UInt8]]] = [[bytes], bytes.map { [$0] }]
        for (seed, maxPiece) in [(1, 2), (2, 5), (3, 17), (4, 64), (5, 300), (6, 4096)] as [(UInt64, Int)] {
            result.append(random(bytes, seed: seed, maxPiece: maxPiece))
        }
        return result
    }
}

/// A captured exchange built from a URL and bodies, the way the proxy would hand it over.
func makeExchange(
    _ url: String, request: String = "", status: Int? = 200, contentType: String? = "application/json", response: String,
    requestHeaders: [HeaderField] = []
) throws -> Exchange {
    let parts = url.split(separator: "://", maxSplits: 1)
    let scheme = String(parts[0])
    let route = try ProxyRoute.parse("/proxy/test/\(scheme)/\(parts[1])")
    var headers: [HeaderField] = []
    if let contentType { headers.append(HeaderField(name: "Content-Type", value: contentType)) }
    return Exchange(
        method: "POST", route: route, requestHeaders: requestHeaders, requestBody: Array(request.utf8), status: status,
        responseHeaders: headers, responseBody: Array(response.utf8))
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
    return (whole, byteDeltas)
}
