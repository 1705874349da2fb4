import Testing

@testable import StreamDecoding

/// Inputs found by the libFuzzer targets in fuzz/ (see fuzz/README.md), kept as regression tests.
@Suite struct DecoderFuzzRegressionTests {
    /// fuzz-jsonarray: a stray closer or comma before a `[` was dropped when the stream came whole but kept
    /// when it came in pieces. A stream that starts with `]`, `}` or `,` did not open with `[`, however it
    /// is cut: nothing is an array element, and the whole (trimmed) input is the unfinished rest.
    @Test(arguments: [#"]]}}[{"a":1}"#, ", \n[\u{FFFD} \n[  }"])
    func jsonArrayStrayBytesBeforeOpeningBracket(_ text: String) {
        let input = Array(text.utf8)
        for pieceSize in [input.count, 1, 3] {
            var decoder = JSONArrayStreamDecoder()
            var elements: [[UInt8]] = []
            var start = 0
            while start < input.count {
                let end = min(start + pieceSize, input.count)
                elements += decoder.feed(input[start..<end])
                start = end
            }
            #expect(elements.isEmpty, "piece size \(pieceSize)")
            #expect(!decoder.closed, "piece size \(pieceSize)")
            #expect(decoder.finish() == input, "piece size \(pieceSize)")
        }
    }
}
