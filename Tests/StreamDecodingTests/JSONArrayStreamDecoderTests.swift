import TestSupport
import Testing

@testable import StreamDecoding

@Suite struct JSONArrayStreamDecoderTests {
    func decode(_ pieces: [[UInt8]]) -> ([String], String?, Bool) {
        var decoder = JSONArrayStreamDecoder()
        var elements: [String] = []
        for piece in pieces { elements += decoder.feed(piece).map { String(decoding: $0, as: UTF8.self) } }
        let closed = decoder.closed
        return (elements, decoder.finish().map { String(decoding: $0, as: UTF8.self) }, closed)
    }

    func decodeEveryWay(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> ([String], String?, Bool) {
        let bytes = Array(text.utf8)
        let whole = decode([bytes])
        for (n, pieces) in Chunking.all(bytes).enumerated() {
            let result = decode(pieces)
            #expect(result.0 == whole.0 && result.1 == whole.1 && result.2 == whole.2, "chunking #\(n)", sourceLocation: sourceLocation)
        }
        return whole
    }

    @Test func splitsArrayElements() {
        let text = "[{\"a\": \"x]},{\\\"\", \"b\": [1, {\"c\": 2}]}\n,\r\n{\"d\": \"日本\"}\n]"
        let (elements, rest, closed) = decodeEveryWay(text)
        #expect(elements == ["{\"a\": \"x]},{\\\"\", \"b\": [1, {\"c\": 2}]}", "{\"d\": \"日本\"}"])
        #expect(rest == nil)
        #expect(closed)
    }

    @Test func truncatedArrayReportsOpenElement() {
        let (elements, rest, closed) = decodeEveryWay("  [{\"a\":1},{\"b\":[2,")
        #expect(elements == ["{\"a\":1}"])
        #expect(rest == "{\"b\":[2,")
        #expect(!closed)
    }

    @Test func scalarsAndEmptyArray() {
        #expect(decodeEveryWay("[1, \"two\", null]").0 == ["1", "\"two\"", "null"])
        let (elements, rest, closed) = decodeEveryWay("[]")
        #expect(elements.isEmpty && rest == nil && closed)
    }

    @Test func concatenatedObjectsWithoutArray() {
        let (elements, rest, closed) = decodeEveryWay("{\"error\": {\"code\": 1}}\n{\"x\": \"}\"}")
        #expect(elements == ["{\"error\": {\"code\": 1}}", "{\"x\": \"}\"}"])
        #expect(rest == nil)
        #expect(!closed)
    }
}
