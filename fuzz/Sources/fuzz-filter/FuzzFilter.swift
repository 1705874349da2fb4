import FuzzSupport
import LLMTraceModel

/// Fuzzes `FilterParser.parse` (docs/FILTERS.md) with arbitrary text (the input's bytes as UTF-8, with
/// replacement characters). Checks:
/// - parsing never traps, and `validate` agrees with `parse`;
/// - round trip: the canonical form (`description`) of a parsed filter parses back to an equal
///   expression, and printing that again gives the same text (the canonical form is a fixed point);
/// - errors: the Character span lies inside the text, and the UTF-16 span is the same span
///   (docs/FILTERS.md, "Positions"), i.e. what `FilterError(kind:message:position:length:in:)` computes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: inputBytes(data, size), as: UTF8.self)
    check(text)
    return 0
}

func check(_ text: String) {
    let expression: FilterExpression
    do {
        expression = try FilterParser.parse(text)
    } catch {
        checkError(error, in: text)
        if FilterParser.validate(text) != error {
            fuzzFailure("validate disagrees with parse", "filter: \(String(reflecting: text))")
        }
        return
    }
    if FilterParser.validate(text) != nil {
        fuzzFailure("validate rejects a filter parse accepts", "filter: \(String(reflecting: text))")
    }
    let printed = expression.description
    let again: FilterExpression
    do {
        again = try FilterParser.parse(printed)
    } catch {
        fuzzFailure(
            "the canonical form does not parse",
            "filter: \(String(reflecting: text))\nexpression: \(String(reflecting: expression))\n"
                + "printed: \(String(reflecting: printed))\nerror: \(error)"
        )
    }
    if again != expression {
        fuzzFailure(
            "the canonical form parses to a different filter",
            "filter: \(String(reflecting: text))\nexpression: \(String(reflecting: expression))\n"
                + "printed: \(String(reflecting: printed))\nagain: \(String(reflecting: again))"
        )
    }
    if again.description != printed {
        fuzzFailure(
            "the canonical form is not a fixed point",
            "filter: \(String(reflecting: text))\nprinted: \(String(reflecting: printed))\n"
                + "printed again: \(String(reflecting: again.description))"
        )
    }
}

func checkError(_ error: FilterError, in text: String) {
    let count = text.count
    guard error.position >= 0, error.length >= 0, error.position + error.length <= count, !error.message.isEmpty else {
        fuzzFailure(
            "error span outside the text",
            "filter: \(String(reflecting: text))\nerror: \(error) \(error.position)+\(error.length) of \(count)"
        )
    }
    let same = FilterError(kind: error.kind, message: error.message, position: error.position, length: error.length, in: text)
    if same.utf16Position != error.utf16Position || same.utf16Length != error.utf16Length {
        fuzzFailure(
            "UTF-16 span is not the Character span",
            "filter: \(String(reflecting: text))\nerror: \(error)\nCharacters \(error.position)+\(error.length), "
                + "UTF-16 \(error.utf16Position)+\(error.utf16Length), expected UTF-16 \(same.utf16Position)+\(same.utf16Length)"
        )
    }
}

/// The process entry point (see `runLibFuzzer`).
@_cdecl("fuzz_filter_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in withInput(data, size, fuzz) }
}
