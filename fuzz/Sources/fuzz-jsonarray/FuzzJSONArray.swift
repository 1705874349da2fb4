import Foundation
import FuzzSupport
import StreamDecoding

/// Fuzzes `JSONArrayStreamDecoder` (Gemini's streamed JSON array):
/// - the elements, `closed` and the unfinished rest are the same whether the stream is fed whole or in
///   pieces of any size;
/// - no element is empty or starts/ends with whitespace;
/// - when the input is a valid JSON array of objects (as Gemini sends), the elements are exactly the
///   array's elements: each parses, and re-joined with `,` inside `[` `]` they parse to the same array.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    var first: Run?
    for split in Split.allCases {
        var decoder = JSONArrayStreamDecoder()
        var run = Run()
        feedPieces(bytes, split) { run.elements += decoder.feed($0) }
        run.closed = decoder.closed
        run.rest = decoder.finish()
        if decoder.closed || decoder.finish() != nil {
            fuzzFailure("JSONArrayStreamDecoder not reset by finish()", "input: \(show(bytes))")
        }
        for e in run.elements + (run.rest.map { [$0] } ?? []) {
            if e.isEmpty || isSpace(e[0]) || isSpace(e[e.count - 1]) {
                fuzzFailure("JSONArrayStreamDecoder returned an untrimmed element", "input: \(show(bytes))\nelement: \(show(e))")
            }
        }
        if let first {
            if run != first {
                fuzzFailure(
                    "JSONArrayStreamDecoder fed as \(split) differs from whole",
                    "input: \(show(bytes))\nwhole: \(first)\ngot:   \(run)"
                )
            }
        } else {
            first = run
        }
    }
    if let run = first { checkAgainstJSONSerialization(bytes, run) }
    return 0
}

struct Run: Equatable, CustomStringConvertible {
    var elements: [[UInt8]] = []
    var closed = false
    var rest: [UInt8]?

    var description: String { "elements \(elements.map(show)), closed \(closed), rest \(rest.map(show) ?? "nil")" }
}

func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

func checkAgainstJSONSerialization(_ bytes: [UInt8], _ run: Run) {
    // Only UTF-8 text starting with `[` (JSONSerialization also reads UTF-16/32, which the decoder does not).
    guard !bytes.contains(0), bytes.first(where: { !isSpace($0) }) == 0x5B,
        let array = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [Any],
        array.allSatisfy({ $0 is [String: Any] })
    else { return }
    guard run.closed, run.rest == nil, run.elements.count == array.count else {
        fuzzFailure(
            "a valid JSON array of \(array.count) objects was split wrongly",
            "input: \(show(bytes))\ngot: \(run)"
        )
    }
    let joined = Data([0x5B] + run.elements.joined(separator: [0x2C]) + [0x5D])
    guard let again = try? JSONSerialization.jsonObject(with: joined) as? [Any],
        NSArray(array: again).isEqual(to: array)
    else {
        fuzzFailure("elements of a valid JSON array do not re-join to it", "input: \(show(bytes))\ngot: \(run)")
    }
}

/// The process entry point (see `runLibFuzzer`).
@_cdecl("fuzz_jsonarray_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in withInput(data, size, fuzz) }
}
