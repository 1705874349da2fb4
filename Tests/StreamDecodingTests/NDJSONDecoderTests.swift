import TestSupport
import Testing

@testable import StreamDecoding

@Suite struct NDJSONDecoderTests {
    func decode(_ pieces: [[UInt8]]) -> ([String], String?) {
        var decoder = NDJSONDecoder()
        var lines: [String] = []
        for piece in pieces { lines += decoder.feed(piece).map { String(decoding: $0, as: UTF8.self) } }
        return (lines, decoder.finish().map { String(decoding: $0, as: UTF8.self) })
    }

    func decodeEveryWay(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> ([String], String?) {
        let bytes = Array(text.utf8)
        let whole = decode([bytes])
        for (n, pieces) in Chunking.all(bytes).enumerated() {
            let result = decode(pieces)
            #expect(result.0 == whole.0, "chunking #\(n)", sourceLocation: sourceLocation)
            #expect(result.1 == whole.1, "chunking #\(n) finish", sourceLocation: sourceLocation)
        }
        return whole
    }

    @Test func linesWithLFAndCRLF() {
        let (lines, rest) = decodeEveryWay("{\"a\":1}\n{\"b\":\"ü\"}\r\n{\"c\":3}\n")
        #expect(lines == ["{\"a\":1}", "{\"b\":\"ü\"}", "{\"c\":3}"])
        #expect(rest == nil)
    }

    @Test func blankLinesSkipped() {
        let (lines, rest) = decodeEveryWay("\n{\"a\":1}\n\n  \r\n\t\n{\"b\":2}\n\n")
        #expect(lines == ["{\"a\":1}", "{\"b\":2}"])
        #expect(rest == nil)
    }

    @Test func unterminatedFinalLineReportedByFinish() {
        let (lines, rest) = decodeEveryWay("{\"a\":1}\n{\"done\":tr")
        #expect(lines == ["{\"a\":1}"])
        #expect(rest == "{\"done\":tr")
        #expect(decodeEveryWay("{\"a\":1}\n  \r").1 == nil)
        #expect(decodeEveryWay("{\"only\":true}").1 == "{\"only\":true}")
    }

    @Test func splitInsideMultiByteCharacter() {
        let (lines, _) = decodeEveryWay("{\"t\":\"日本語 👋\"}\n")
        #expect(lines == ["{\"t\":\"日本語 👋\"}"])
    }

    @Test func nonContiguousSequencesAreAccepted() {
        var decoder = NDJSONDecoder()
        let lines = decoder.feed(Array("x\ny".utf8).lazy.map { $0 })
        #expect(lines == [Array("x".utf8)])
        #expect(decoder.finish() == Array("y".utf8))
        #expect(decoder.finish() == nil)
    }
}
