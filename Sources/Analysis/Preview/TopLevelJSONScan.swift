import Foundation

/// The top level of a JSON object read without building it: each key with a placeholder of its value's
/// kind, and the values of `model` (a non-empty string) and `stream` (a boolean).
///
/// One pass over the bytes with no allocation per nested value. Input that is not a JSON object gives an
/// empty scan; a body cut off at the capture limit gives the keys before the cut.
struct TopLevelJSONScan {
    /// Top-level keys, each with an empty value of its kind (`[Any]`, `[String: Any]`, `String`, a
    /// number, `Bool`, `NSNull`); `model` keeps its string. `nil` when the body is not a JSON object.
    private(set) var shape: [String: Any]?
    private(set) var model: String?
    private(set) var stream: Bool?

    init(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { scan($0) }
    }

    private enum Kind {
        case string(hasEscape: Bool)
        case object, array, trueLiteral, falseLiteral, null, number
    }

    private mutating func scan(_ b: UnsafeBufferPointer<UInt8>) {
        var reader = Reader(b: b)
        reader.skipSpace()
        guard reader.take(UInt8(ascii: "{")) else { return }
        var keys: [String: Any] = [:]
        defer { shape = keys }
        reader.skipSpace()
        if reader.take(UInt8(ascii: "}")) { return }
        while true {
            reader.skipSpace()
            guard reader.peek == UInt8(ascii: "\""), let keyRange = reader.string() else { return }
            let key = Self.decodeString(b, keyRange.range, hasEscape: keyRange.hasEscape)
            reader.skipSpace()
            guard reader.take(UInt8(ascii: ":")) else { return }
            reader.skipSpace()
            let valueStart = reader.i
            guard let kind = reader.value() else { return }
            switch kind {
            case .string(let hasEscape):
                let value = key == "model" ? Self.decodeString(b, (valueStart + 1)..<(reader.i - 1), hasEscape: hasEscape) : ""
                keys[key] = value
                if key == "model", !value.isEmpty { model = value }
            case .object: keys[key] = [String: Any]()
            case .array: keys[key] = [Any]()
            case .trueLiteral:
                keys[key] = true
                if key == "stream" { stream = true }
            case .falseLiteral:
                keys[key] = false
                if key == "stream" { stream = false }
            case .null: keys[key] = NSNull()
            case .number: keys[key] = 0
            }
            reader.skipSpace()
            if reader.take(UInt8(ascii: ",")) { continue }
            return  // `}`, or a cut/invalid body: what was read stands
        }
    }

    private static func decodeString(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, hasEscape: Bool) -> String {
        guard let base = b.baseAddress else { return "" }
        let inner = UnsafeBufferPointer(rebasing: b[range])
        guard hasEscape else { return String(decoding: inner, as: UTF8.self) }
        // Rare: let Foundation undo the escapes of the quoted string.
        let quoted = Data(bytes: base + range.lowerBound - 1, count: range.count + 2)
        return (try? JSONSerialization.jsonObject(with: quoted, options: [.fragmentsAllowed])) as? String ?? ""
    }

    /// A cursor over the bytes.
    private struct Reader {
        let b: UnsafeBufferPointer<UInt8>
        var i = 0

        var peek: UInt8? { i < b.count ? b[i] : nil }

        mutating func take(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }

        mutating func skipSpace() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        }

        /// Reads a string starting at its opening quote; returns its content's range.
        mutating func string() -> (range: Range<Int>, hasEscape: Bool)? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = i
            var escaped = false
            while i < b.count {
                let c = b[i]
                if c == UInt8(ascii: "\\") {
                    escaped = true
                    i += 2
                } else if c == UInt8(ascii: "\"") {
                    i += 1
                    return (start..<(i - 1), escaped)
                } else {
                    i += 1
                }
            }
            return nil
        }

        /// Skips one value, saying what kind it was; `nil` when the bytes end first or make no value.
        mutating func value() -> Kind? {
            guard let c = peek else { return nil }
            switch c {
            case UInt8(ascii: "\""):
                return string().map { .string(hasEscape: $0.hasEscape) }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while i < b.count {
                    switch b[i] {
                    case UInt8(ascii: "\""):
                        guard string() != nil else { return nil }
                        continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 {
                            i += 1
                            return c == UInt8(ascii: "{") ? .object : .array
                        }
                    default: break
                    }
                    i += 1
                }
                return nil
            default:
                let start = i
                while i < b.count {
                    let d = b[i]
                    if d == UInt8(ascii: ",") || d == UInt8(ascii: "}") || d == 0x20 || d == 0x0A || d == 0x0D || d == 0x09 { break }
                    i += 1
                }
                guard i < b.count else { return nil }  // a cut scalar
                let word = UnsafeBufferPointer(rebasing: b[start..<i])
                if word.elementsEqual("true".utf8) { return .trueLiteral }
                if word.elementsEqual("false".utf8) { return .falseLiteral }
                if word.elementsEqual("null".utf8) { return .null }
                return word.isEmpty ? nil : .number
            }
        }
    }
}
