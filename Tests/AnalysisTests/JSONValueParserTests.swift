import Foundation
import TestSupport
import Testing

@testable import Analysis

/// `JSONValueParser` must give exactly the values Foundation's `JSONSerialization` gives, or decline.
@Suite struct JSONValueParserTests {
    /// What the extractors can observe of a parsed value: its kind, and for numbers every cast they use.
    private static func shape(_ value: Any) -> String {
        switch value {
        case let object as [String: Any]:
            return "{" + object.keys.sorted().map { "\($0.debugDescription):\(shape(object[$0] as Any))" }.joined(separator: ",") + "}"
        case let array as [Any]:
            return "[" + array.map(shape).joined(separator: ",") + "]"
        case let string as String:
            return "s" + string.debugDescription
        case is NSNull:
            return "null"
        case let number as NSNumber:
            let casts: [String] = [
                (number as? Int).map { "\($0)" } ?? "-", (number as? Bool).map { "\($0)" } ?? "-",
                (number as? Double).map { "\($0)" } ?? "-", "\(number.doubleValue)", "\(number.intValue)",
            ]
            return "n(" + casts.joined(separator: "|") + ")"
        default:
            return "?\(type(of: value))"
        }
    }

    private static func foundation(_ text: [UInt8]) -> Any? {
        JSONAccess.parse(text, fast: false)
    }

    private static func fast(_ text: [UInt8]) -> Any? {
        text.withUnsafeBufferPointer { JSONValueParser.parse($0) }
    }

    /// Requires the fast reader to give Foundation's value, or to decline where `mayDecline`.
    private static func requireSame(_ text: String, mayDecline: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) {
        let bytes = Array(text.utf8)
        let expected = foundation(bytes)
        guard let value = fast(bytes) else {
            #expect(mayDecline || expected == nil, "declined \(text.prefix(80))", sourceLocation: sourceLocation)
            return
        }
        #expect(expected != nil, "accepted what Foundation refuses: \(text.prefix(80))", sourceLocation: sourceLocation)
        if let expected {
            #expect(shape(value) == shape(expected), "\(text.prefix(80))", sourceLocation: sourceLocation)
        }
    }

    @Test func providerBodiesAndEventsReadAlike() {
        let bodies = [
            Transcripts.openAIChatBody, Transcripts.openAIChatBodyToolCalls, Transcripts.openAIChatBodyThreeChoices,
            Transcripts.openAIErrorBody, Transcripts.openAICompletionsBody, Transcripts.openAIEmbeddingsBody,
            Transcripts.azureErrorBody, Transcripts.responsesBody, Transcripts.responsesBodyBuiltInTools,
            Transcripts.anthropicBody, Transcripts.anthropicServerToolsBody, Transcripts.anthropicErrorBody,
            Transcripts.geminiBody, Transcripts.geminiBlockedBody, Transcripts.geminiErrorBody, Transcripts.geminiArrayStream,
        ]
        for body in bodies {
            #expect(Self.fast(Array(body.utf8)) != nil, "the fast reader knows \(body.prefix(60))")
            Self.requireSame(body)
        }
        let streams = [Transcripts.openAIChatStreamWithUsage, Transcripts.responsesStream, Transcripts.anthropicStream]
        for stream in streams {
            for line in stream.split(separator: "\n") where line.hasPrefix("data: ") {
                Self.requireSame(String(line.dropFirst(6)))
            }
        }
    }

    @Test(arguments: [
        "0", "-0", "1", "-1", "1.0", "-1.5e-3", "1e3", "1E+2", "2.5E-30", "0.1", "0.000", "100.50", "123456789012345678",
        "-123456789012345678", "true", "false", "null", #""""#, #""a\u00e9\/\\\"\b\f\n\r\t""#, #""\ud83d\ude00 ok""#,
        #""wörld 👋 日本""#, "[]", "{}", " [ 1 , { \"a\" : [ ] } ] ", #"{"a":1,"a":2}"#, "[[[[[[[[[[1]]]]]]]]]]",
        #"{"usage":{"prompt_tokens":19,"completion_tokens":10},"temperature":1.0,"top_p":0.95}"#,
    ])
    func valuesReadAlike(_ text: String) {
        #expect(Self.fast(Array(text.utf8)) != nil, "the fast reader knows \(text)")
        Self.requireSame(text)
    }

    /// Text the fast reader declines: invalid JSON, or JSON Foundation reads in its own way (a trailing comma,
    /// huge integers, another encoding). `JSONAccess.parse` must still give Foundation's answer.
    @Test(arguments: [
        "", " ", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "1e", "+1", "12345678901234567890", "9223372036854775808",
        "1e400", "1.5e300", "2.5E-300", "0.12345678901234567", "tru", "nul", "[1 2]", "{\"a\" 1}", "{a:1}", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"",
        "\"\u{01}\"",
        "\"open", "[", "{\"a\":", "1 x", "\u{FEFF}{}",
    ])
    func declinedTextGetsFoundationsAnswer(_ text: String) {
        let bytes = Array(text.utf8)
        #expect(Self.fast(bytes) == nil, "declines \(text.debugDescription)")
        let viaAccess = JSONAccess.parse(bytes)
        let expected = Self.foundation(bytes)
        #expect(viaAccess.map(Self.shape) == expected.map(Self.shape))
    }

    @Test func otherEncodingsAndInvalidUTF8AreLeftToFoundation() {
        let utf16: [UInt8] = Array("{\"a\":1}".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        #expect(Self.fast(utf16) == nil)
        #expect(JSONAccess.parse(utf16).map(Self.shape) == Self.foundation(utf16).map(Self.shape))
        let invalid: [UInt8] = [UInt8(ascii: "\""), 0xC3, 0x28, UInt8(ascii: "\"")]
        #expect(Self.fast(invalid) == nil)
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(Self.fast(Array(deep.utf8)) == nil)
    }

    /// Random documents (seeded): every one the fast reader accepts reads alike; it declines only those with
    /// a long fraction.
    @Test func randomDocumentsReadAlike() {
        var generator = SeededRandom(seed: 42)
        var accepted = 0
        for _ in 0..<1000 {
            let text = Self.randomValue(depth: 0, using: &generator)
            Self.requireSame(text, mayDecline: true)
            if Self.fast(Array(text.utf8)) != nil {
                accepted += 1
            } else {
                #expect(text.contains(where: { $0 == "." }), "declined \(text)")
            }
        }
        #expect(accepted > 700)
    }

    /// Fractions and exponents as APIs write them (up to 14 significant digits) read to the same `Double`.
    @Test func shortFractionsReadAlike() {
        var generator = SeededRandom(seed: 9)
        for _ in 0..<3000 {
            let digits = Int.random(in: 1...14, using: &generator)
            let mantissa = String(UInt64.random(in: 0..<UInt64(pow(10, Double(digits))), using: &generator))
            let point = Int.random(in: 0...mantissa.count, using: &generator)
            let integer = point == 0 ? "0" : String(mantissa.prefix(point))
            let fraction = point == mantissa.count ? "0" : String(mantissa.dropFirst(point))
            let exponent = Bool.random(using: &generator) ? "" : "e\(Int.random(in: -30...30, using: &generator))"
            let text = (Bool.random(using: &generator) ? "-" : "") + integer + "." + fraction + exponent
            #expect(Self.fast(Array(text.utf8)) != nil, "the fast reader knows \(text)")
            Self.requireSame(text)
        }
    }

    private static func randomValue(depth: Int, using g: inout SeededRandom) -> String {
        let pick = Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &g)
        let space = [" ", "", "\n", "\t", ""][Int.random(in: 0..<5, using: &g)]
        switch pick {
        case 0: return space + String(Int.random(in: -1_000_000_000_000...1_000_000_000_000, using: &g))
        case 1:
            let value = Double.random(in: -1e6...1e6, using: &g)
            // Mostly as APIs write fractions (a few digits), sometimes all 17.
            return (Int.random(in: 0..<10, using: &g) == 0 ? String(value) : String(format: "%.4f", value)) + space
        case 2: return ["true", "false", "null"][Int.random(in: 0..<3, using: &g)]
        case 3, 4:
            let pieces = ["a", "é", "😀", "\\n", "\\\"", "\\u00e9", "\\ud83d\\ude00", " ", "日本", "\\/", "x\\ty"]
            return "\"" + (0..<Int.random(in: 0..<6, using: &g)).map { _ in pieces.randomElement(using: &g) ?? "" }.joined() + "\""
        case 5:
            let items = (0..<Int.random(in: 0..<5, using: &g)).map { _ in randomValue(depth: depth + 1, using: &g) }
            return "[" + space + items.joined(separator: "," + space) + "]"
        default:
            let keys = ["model", "usage", "id", "a", "é", "choices", "text"]
            let items = (0..<Int.random(in: 0..<5, using: &g)).map { _ in
                "\"\(keys.randomElement(using: &g) ?? "k")\"" + space + ":" + randomValue(depth: depth + 1, using: &g)
            }
            return space + "{" + items.joined(separator: ",") + "}"
        }
    }
}
