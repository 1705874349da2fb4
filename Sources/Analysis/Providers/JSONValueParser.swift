import Foundation

/// A JSON reader for the capture path: it builds the same values Foundation's `JSONSerialization` builds
/// (`[String: Any]`, `[Any]`, `String`, `NSNumber`, `NSNull`) several times faster, in one pass over UTF-8
/// bytes, for the shapes LLM APIs send.
///
/// It knows only strict UTF-8 JSON and declines (`nil`) anything else: invalid JSON, text in another
/// encoding or with a byte-order mark, invalid UTF-8, nesting deeper than 512, integers of more than 18
/// digits, and fractions or exponents with more than 14 significant digits or an exponent beyond ±30
/// (Foundation's reading of those can differ from the correctly rounded value in the last bit). ``JSONAccess/parse(_:)`` then asks `JSONSerialization`, so a
/// value is always the one Foundation would give, only sooner (tests compare the two on every fixture).
struct JSONValueParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0

    /// Foundation's nesting limit.
    private static let maximumDepth = 512

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The JSON value in `bytes` (surrounding whitespace allowed), or `nil` when the fast reader declines.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Any? {
        var parser = JSONValueParser(bytes)
        parser.skipSpace()
        guard let value = parser.value() else { return nil }
        parser.skipSpace()
        return parser.index == bytes.count ? value : nil
    }

    // MARK: - Values

    private mutating func value() -> Any? {
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "\""): return string()
        case UInt8(ascii: "t"): return literal("true", NSNumber(value: true))
        case UInt8(ascii: "f"): return literal("false", NSNumber(value: false))
        case UInt8(ascii: "n"): return literal("null", NSNull())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
        default: return nil
        }
    }

    private mutating func object() -> Any? {
        guard depth < Self.maximumDepth else { return nil }
        depth += 1
        defer { depth -= 1 }
        index += 1
        var object: [String: Any] = [:]
        skipSpace()
        if next == UInt8(ascii: "}") {
            index += 1
            return object
        }
        while true {
            skipSpace()
            guard next == UInt8(ascii: "\""), let key = string() else { return nil }
            skipSpace()
            guard next == UInt8(ascii: ":") else { return nil }
            index += 1
            skipSpace()
            guard let value = value() else { return nil }
            object[key] = value  // a repeated key keeps its last value, as in Foundation
            skipSpace()
            switch next {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return object
            default: return nil
            }
        }
    }

    private mutating func array() -> Any? {
        guard depth < Self.maximumDepth else { return nil }
        depth += 1
        defer { depth -= 1 }
        index += 1
        var array: [Any] = []
        skipSpace()
        if next == UInt8(ascii: "]") {
            index += 1
            return array
        }
        while true {
            skipSpace()
            guard let value = value() else { return nil }
            array.append(value)
            skipSpace()
            switch next {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return array
            default: return nil
            }
        }
    }

    private mutating func literal(_ word: StaticString, _ value: Any) -> Any? {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { return nil }
        let start = word.utf8Start
        for k in 0..<count where bytes[index + k] != start[k] { return nil }
        index += count
        return value
    }

    // MARK: - Strings

    /// A string at `index` (which holds its opening quote).
    private mutating func string() -> String? {
        index += 1
        let start = index
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                return ascii ? String(decoding: text, as: UTF8.self) : String(validating: text, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { return escapedString(from: start) }
            if byte < 0x20 { return nil }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        return nil
    }

    /// The rest of a string that holds escapes, from its first byte at `start`.
    private mutating func escapedString(from start: Int) -> String? {
        var text = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(validating: text, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { return nil }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escape)
                case UInt8(ascii: "b"): text.append(0x08)
                case UInt8(ascii: "f"): text.append(0x0C)
                case UInt8(ascii: "n"): text.append(0x0A)
                case UInt8(ascii: "r"): text.append(0x0D)
                case UInt8(ascii: "t"): text.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = unicodeEscape(), let encoded = UTF8.encode(scalar) else { return nil }
                    text.append(contentsOf: encoded)
                default: return nil
                }
            default:
                guard byte >= 0x20 else { return nil }
                text.append(byte)
            }
        }
        return nil
    }

    /// The scalar of a `\u` escape whose four hex digits start at `index`, joining a surrogate pair; `nil`
    /// for a lone surrogate (Foundation refuses those too).
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let unit = hex4() else { return nil }
        if unit < 0xD800 || unit > 0xDFFF { return Unicode.Scalar(unit) }
        guard unit < 0xDC00, bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"),
            bytes[index + 1] == UInt8(ascii: "u")
        else { return nil }
        index += 2
        guard let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
        return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
    }

    private mutating func hex4() -> UInt32? {
        guard bytes.count - index >= 4 else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    // MARK: - Numbers

    /// A number by JSON's grammar: an integer as an integer `NSNumber`, anything with a fraction or an
    /// exponent as a `Double` one (see the type's note for the numbers it declines).
    private mutating func number() -> Any? {
        let start = index
        let negative = next == UInt8(ascii: "-")
        if negative { index += 1 }
        guard let first = next, isDigit(first) else { return nil }
        let integerStart = index
        if first == UInt8(ascii: "0") {
            index += 1
        } else {
            skipDigits()
        }
        let integerEnd = index
        var fraction = 0..<0
        if next == UInt8(ascii: ".") {
            index += 1
            fraction = index..<skipDigits()
            guard !fraction.isEmpty else { return nil }
        }
        var exponent: Int?
        if next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
            index += 1
            let sign = next
            if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { index += 1 }
            let digits = index..<skipDigits()
            guard !digits.isEmpty, digits.count <= 2 else { return nil }
            let magnitude = digits.reduce(0) { $0 * 10 + Int(bytes[$1] - UInt8(ascii: "0")) }
            exponent = sign == UInt8(ascii: "-") ? -magnitude : magnitude
        }
        if fraction.isEmpty, exponent == nil {
            guard integerEnd - integerStart <= 18 else { return nil }
            var value = 0
            for k in integerStart..<integerEnd { value = value * 10 + Int(bytes[k] - UInt8(ascii: "0")) }
            return NSNumber(value: negative ? -value : value)
        }
        guard significantDigits(integerStart..<integerEnd, fraction) <= 14, abs(exponent ?? 0) <= 30 else { return nil }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { return nil }
        return NSNumber(value: value)
    }

    /// The digits of the integer part and the fraction, less leading zeros and the fraction's trailing zeros.
    private func significantDigits(_ integer: Range<Int>, _ fraction: Range<Int>) -> Int {
        let zero = UInt8(ascii: "0")
        var first = integer.lowerBound
        while first < integer.upperBound, bytes[first] == zero { first += 1 }
        if first == integer.upperBound {
            first = fraction.lowerBound
            while first < fraction.upperBound, bytes[first] == zero { first += 1 }
        }
        var last = fraction.upperBound
        while last > fraction.lowerBound, bytes[last - 1] == zero { last -= 1 }
        let fractionDigits = last - fraction.lowerBound
        return first < integer.upperBound ? integer.upperBound - first + fractionDigits : max(0, last - first)
    }

    /// Skips digits and returns the index after them.
    @discardableResult
    private mutating func skipDigits() -> Int {
        while let byte = next, isDigit(byte) { index += 1 }
        return index
    }

    // MARK: - Bytes

    private var next: UInt8? { index < bytes.count ? bytes[index] : nil }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }
}
