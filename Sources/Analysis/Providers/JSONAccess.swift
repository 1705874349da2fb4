import Foundation
import LLMTraceModel

/// Small helpers over Foundation's `JSONSerialization` values (`[String: Any]`, `[Any]`, `NSNumber`, `NSNull`).
enum JSONAccess {
    /// Parses bytes as one JSON value, or `nil` when they are not valid JSON: with ``JSONValueParser`` when it
    /// knows the text (`fast`, the default), else with Foundation's `JSONSerialization`, which gives the same value.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, fast: Bool = true) -> Any? {
        if fast, let value = JSONValueParser.parse(bytes) { return value }
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
        // The bytes outlive the call and JSONSerialization keeps no reference to its input.
        let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count, deallocator: .none)
        return try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }

    /// Parses bytes as one JSON value, or `nil` when they are not valid JSON.
    static func parse(_ bytes: [UInt8], fast: Bool = true) -> Any? {
        bytes.withUnsafeBufferPointer { parse($0, fast: fast) }
    }

    /// An integer value (JSON number without fraction), else `nil`.
    static func int(_ value: Any?) -> Int? {
        // A JSON number is an NSNumber: read an integer one directly, without `as? Int`'s bridging (a
        // sixth of the analysis of a whole answer). Floating-point and unsigned ones take the bridge.
        if let number = value as? NSNumber {
            switch number.objCType.pointee {
            case CChar(UInt8(ascii: "q")), CChar(UInt8(ascii: "l")), CChar(UInt8(ascii: "i")): return number.intValue
            default: return number as? Int
            }
        }
        guard let value, !(value is NSNull), !(value is String) else { return nil }
        return value as? Int
    }

    /// A string value, else `nil`.
    static func string(_ value: Any?) -> String? {
        value as? String
    }

    /// A non-empty string value, else `nil`.
    static func nonEmptyString(_ value: Any?) -> String? {
        guard let s = value as? String, !s.isEmpty else { return nil }
        return s
    }

    /// A JSON object value, else `nil`.
    static func object(_ value: Any?) -> [String: Any]? {
        value as? [String: Any]
    }

    /// An array of JSON objects (non-object elements skipped), else `nil`.
    static func objects(_ value: Any?) -> [[String: Any]]? {
        guard let array = value as? [Any] else { return nil }
        return array.compactMap { $0 as? [String: Any] }
    }

    /// `true` only for a JSON `true`.
    static func isTrue(_ value: Any?) -> Bool {
        (value as? Bool) == true && !(value is String)
    }

    /// The value as compact JSON text with sorted keys, for tool-call arguments given as objects.
    /// A string is returned as it is (it already is the arguments' text); `nil` or `null` gives `{}`.
    static func jsonText(_ value: Any?) -> String {
        guard let value, !(value is NSNull) else { return "{}" }
        if let s = value as? String { return s }
        // Values here came out of JSONSerialization, so they are valid; the check guards against a trap anyway.
        guard JSONSerialization.isValidJSONObject([value]),
            let data = try? JSONSerialization.data(
                withJSONObject: value,
                options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed]
            )
        else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
