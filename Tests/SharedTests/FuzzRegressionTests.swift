import Testing

@testable import Shared

/// Inputs found by the libFuzzer targets in fuzz/ (see fuzz/README.md), kept as regression tests.
@Suite struct FuzzRegressionTests {
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

    /// fuzz-filter: an error span that ends inside a Character (`؀"`: U+0600 is a grapheme "prepend",
    /// so it and the quote after it are one Character) was widened to whole Characters but its UTF-16
    /// span was not, so the two spans named different text.
    @Test func filterErrorUTF16SpanCoversTheSameCharacters() throws {
        let text = "🧪 ~bogu\u{600}\"sx\""
        let error = try #require(FilterParser.validate(text))
        #expect(error.kind == .unknownOperator)
        // `~bogu؀"`: 6 Characters (the last is U+0600 + `"`) starting at Character 2, UTF-16 unit 3.
        #expect(error.position == 2)
        #expect(error.length == 6)
        #expect(error.utf16Position == 3)
        #expect(error.utf16Length == 7)
        let chars = Array(text)
        let covered = String(chars[error.position..<(error.position + error.length)])
        let utf16 = Array(text.utf16)
        let coveredUTF16 = String(decoding: utf16[error.utf16Position..<(error.utf16Position + error.utf16Length)], as: UTF16.self)
        #expect(covered == coveredUTF16)
    }
}
