import Testing

@testable import LLMTraceModel

/// Inputs found by the libFuzzer targets in fuzz/ (see fuzz/README.md), kept as regression tests.
@Suite struct FilterFuzzRegressionTests {
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
