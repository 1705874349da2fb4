import FuzzSupport
import StreamDecoding

/// Fuzzes `NDJSONDecoder`: the lines (and the unterminated last line) must be the same whether the stream
/// is fed whole or in pieces of any size, and must equal a direct split of the whole input on `\n`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    let expected = reference(bytes)
    for split in Split.allCases {
        var decoder = NDJSONDecoder()
        var lines: [[UInt8]] = []
        feedPieces(bytes, split) { lines += decoder.feed($0) }
        let rest = decoder.finish()
        if lines != expected.lines || rest != expected.rest {
            fuzzFailure(
                "NDJSONDecoder fed as \(split) differs from the reference",
                "input: \(show(bytes))\nexpected: \(expected.lines.map(show)) rest \(expected.rest.map(show) ?? "nil")\n"
                    + "got:      \(lines.map(show)) rest \(rest.map(show) ?? "nil")"
            )
        }
        if decoder.finish() != nil { fuzzFailure("NDJSONDecoder not reset by finish()", "input: \(show(bytes))") }
    }
    return 0
}

/// Lines split on LF, one trailing CR removed, lines of only spaces, tabs and CRs skipped; the text after
/// the last LF is the unterminated line.
func reference(_ bytes: [UInt8]) -> (lines: [[UInt8]], rest: [UInt8]?) {
    func clean(_ line: ArraySlice<UInt8>) -> [UInt8]? {
        var l = line
        if l.last == 0x0D { l = l.dropLast() }
        return l.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D } ? nil : Array(l)
    }
    var parts = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
    let last = parts.removeLast()
    return (parts.compactMap(clean), clean(last))
}

/// The process entry point (see `runLibFuzzer`).
@_cdecl("fuzz_ndjson_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in withInput(data, size, fuzz) }
}
