import TestSupport
import Testing

@testable import StreamDecoding

@Suite struct SSEDecoderTests {
    /// Decodes a stream fed in the given pieces, returning dispatched events and the finish() result.
    func decode(_ pieces: [[UInt8]]) -> ([SSEEvent], SSEEvent?) {
        var decoder = SSEDecoder()
        var events: [SSEEvent] = []
        for piece in pieces { events += decoder.feed(piece) }
        return (events, decoder.finish())
    }

    /// Decodes `bytes` under every chunking and requires the same result each time.
    func decodeEveryWay(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> ([SSEEvent], SSEEvent?) {
        let whole = decode([bytes])
        for (n, pieces) in Chunking.all(bytes).enumerated() {
            let result = decode(pieces)
            #expect(result.0 == whole.0, "chunking #\(n)", sourceLocation: sourceLocation)
            #expect(result.1 == whole.1, "chunking #\(n) finish", sourceLocation: sourceLocation)
        }
        return whole
    }

    func decodeEveryWay(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> ([SSEEvent], SSEEvent?) {
        decodeEveryWay(Array(text.utf8), sourceLocation: sourceLocation)
    }

    @Test func basicEvents() {
        let (events, rest) = decodeEveryWay("data: hello\n\nevent: add\ndata: 73857293\n\n")
        #expect(events == [SSEEvent(data: "hello"), SSEEvent(event: "add", data: "73857293")])
        #expect(rest == nil)
    }

    @Test func multiLineDataJoinedWithLF() {
        let (events, _) = decodeEveryWay("data: YHOO\ndata: +2\ndata: 10\n\n")
        #expect(events == [SSEEvent(data: "YHOO\n+2\n10")])
    }

    @Test func commentLinesIgnored() {
        let (events, _) = decodeEveryWay(": this is a comment\n:\ndata: x\n: another\n\n: ping\n\n")
        #expect(events == [SSEEvent(data: "x")])
    }

    @Test func spaceAfterColonIsOptionalAndOnlyOneIsRemoved() {
        let (events, _) = decodeEveryWay("data:test\n\ndata: test\n\ndata:  two\n\n")
        #expect(events.map(\.data) == ["test", "test", " two"])
    }

    @Test func fieldWithNoColonHasEmptyValue() {
        // WHATWG example: "data" alone, and "data" + "data" gives one LF.
        let (events, _) = decodeEveryWay("data\n\ndata\ndata\n\ndata:\n\n")
        #expect(events.map(\.data) == ["", "\n", ""])
    }

    @Test func eventWithoutDataIsNotDispatched() {
        let (events, rest) = decodeEveryWay("event: lonely\n\nid: 1\n\ndata: a\n\n")
        #expect(events == [SSEEvent(data: "a", id: "1")])  // the type does not leak into the next event
        #expect(rest == nil)
    }

    @Test func lineEndingsCRLFandCRandLF() {
        let (events, _) = decodeEveryWay("data: a\r\n\r\ndata: b\r\rdata: c\n\ndata: d\r\ndata: e\r\r\n")
        #expect(events.map(\.data) == ["a", "b", "c", "d\ne"])
    }

    @Test func crlfSplitAcrossPieces() {
        let (events, _) = decode([Array("data: a\r".utf8), Array("\n\r".utf8), Array("\ndata: b\r".utf8), Array("\r".utf8)])
        #expect(events.map(\.data) == ["a", "b"])
        // A lone CR at the end of a piece followed by data (not LF) is a line end on its own.
        let (events2, _) = decode([Array("data: a\r".utf8), Array("\rdata: b\r".utf8), Array("\n\r\n".utf8)])
        #expect(events2.map(\.data) == ["a", "b"])
    }

    @Test func loneCRStream() {
        let (events, _) = decodeEveryWay("event: x\rdata: one\rdata: two\r\r")
        #expect(events == [SSEEvent(event: "x", data: "one\ntwo")])
    }

    @Test func leadingBOMIgnored() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("data: bom\n\n".utf8)
        let (events, _) = decodeEveryWay(bytes)
        #expect(events == [SSEEvent(data: "bom")])
        let (split, _) = decode([[0xEF], [0xBB], [0xBF, 0x64], Array("ata: bom\n\n".utf8)])
        #expect(split == [SSEEvent(data: "bom")])
    }

    @Test func onlyOneBOMIsIgnored() {
        // A second BOM belongs to the first field name, which is then unknown.
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + Array("data: x\n\ndata: y\n\n".utf8)
        let (events, _) = decodeEveryWay(bytes)
        #expect(events == [SSEEvent(data: "y")])
    }

    @Test func partialBOMIsContent() {
        // EF BB followed by "data" is not a BOM: the bytes stay, so the field name is unknown.
        let bytes: [UInt8] = [0xEF, 0xBB] + Array("data: x\n\ndata: y\n\n".utf8)
        let (events, _) = decodeEveryWay(bytes)
        #expect(events == [SSEEvent(data: "y")])
        var decoder = SSEDecoder()
        #expect(decoder.feed([0xEF]).isEmpty)
        // A stream that is only a BOM prefix ends with no event.
        #expect(decoder.finish() == nil)
    }

    @Test func multiByteUTF8SplitAnywhere() {
        let (events, _) = decodeEveryWay("data: héllo wörld 👋🏽 日本\n\n")
        #expect(events == [SSEEvent(data: "héllo wörld 👋🏽 日本")])
    }

    @Test func invalidUTF8BecomesReplacementCharacter() {
        let bytes: [UInt8] = Array("data: a".utf8) + [0xFF] + Array("b\n\n".utf8)
        let (events, _) = decodeEveryWay(bytes)
        #expect(events == [SSEEvent(data: "a\u{FFFD}b")])
    }

    @Test func idPersistsAndNULIsIgnoredAndEmptyResets() {
        let (events, _) = decodeEveryWay("id: 1\ndata: a\n\ndata: b\n\nid: 2\u{0}x\ndata: c\n\nid\ndata: d\n\nid: 3\ndata: e\n\n")
        #expect(events.map(\.id) == ["1", "1", "1", nil, "3"])
    }

    @Test func retryDigitsOnly() {
        var decoder = SSEDecoder()
        let events = decoder.feed(Array("retry: 3000\ndata: a\n\nretry: 12x\ndata: b\n\nretry\n\nretry: 50\n\ndata: c\n\n".utf8))
        #expect(events.map(\.retry) == [3000, nil, 50])
        #expect(decoder.reconnectionTime == 50)
    }

    @Test func unknownFieldsIgnored() {
        let (events, _) = decodeEveryWay("foo: bar\ndata: a\nDATA: b\nEvent: c\n\n")
        #expect(events == [SSEEvent(data: "a")])
    }

    @Test func unfinishedFinalEventIsReportedByFinish() {
        let (events, rest) = decodeEveryWay("data: one\n\nevent: delta\ndata: two\ndata: thr")
        #expect(events == [SSEEvent(data: "one")])
        #expect(rest == SSEEvent(event: "delta", data: "two\nthr"))

        let (_, rest2) = decodeEveryWay("data: one\n\ndata: two\n")
        #expect(rest2 == SSEEvent(data: "two"))

        // A trailing comment or cut field name carries no data: nothing to report.
        #expect(decodeEveryWay("data: one\n\n: comm").1 == nil)
        #expect(decodeEveryWay("data: one\n\nda").1 == nil)
    }

    @Test func finishResetsTheDecoder() {
        var decoder = SSEDecoder()
        _ = decoder.feed(Array("id: 7\ndata: x".utf8))
        #expect(decoder.finish() == SSEEvent(data: "x", id: "7"))
        #expect(decoder.feed(Array("data: y\n\n".utf8)) == [SSEEvent(data: "y")])
        #expect(decoder.finish() == nil)
    }

    @Test func nonContiguousSequencesAreAccepted() {
        var decoder = SSEDecoder()
        let lazy = Array("data: lazy\n\n".utf8).lazy.map { $0 }
        #expect(decoder.feed(lazy) == [SSEEvent(data: "lazy")])
    }

    @Test func largeRandomStreamIsChunkingIndependent() {
        var rng = SeededRandom(seed: 42)
        var text = ""
        var expected: [SSEEvent] = []
        for i in 0..<300 {
            let lines = Int.random(in: 1...3, using: &rng)
            let payload = (0..<lines).map { j in
                "{\"i\":\(i),\"j\":\(j),\"s\":\"é\(String(repeating: "x", count: Int.random(in: 0...40, using: &rng)))\"}"
            }
            let end = ["\n", "\r\n", "\r"][Int.random(in: 0...2, using: &rng)]
            if i % 7 == 0 { text += ": keep-alive" + end }
            text += "event: e\(i % 3)" + end
            for line in payload { text += "data: " + line + end }
            text += end
            expected.append(SSEEvent(event: "e\(i % 3)", data: payload.joined(separator: "\n")))
        }
        let (events, rest) = decodeEveryWay(text)
        #expect(events == expected)
        #expect(rest == nil)
    }
}
