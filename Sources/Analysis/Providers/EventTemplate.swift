import Foundation
import LLMTraceModel

/// A learned byte template of one kind of hot streamed event (a plain text delta), used to skip JSON parsing
/// for the many events of a stream that differ only in a few values.
///
/// A template is built from an event that Foundation already parsed and the provider's extractor declared
/// "hot" (its only effects are appending one string, perhaps noting the model and, for Gemini, taking usage
/// totals). The template keeps every byte of that event except a few value tokens — the text, the model,
/// usage counts and values the extractor never reads (ids, timestamps, sequence numbers) — which become holes. A later event matches when all kept bytes are
/// identical and each hole holds a plain token of the same kind. Such an event parses to the same structure
/// with new values in the holes, so its effect is known without parsing it. Anything unusual in a hole
/// (escapes in a non-text value, non-ASCII ids, signed or fractional numbers) makes the match fail, and the
/// event then takes the ordinary path through `JSONSerialization`. Nothing here parses JSON values.
struct EventTemplate: Sendable {
    /// What the hot event does.
    enum Effect: Sendable, Equatable {
        case text, thinking
    }

    /// What an extractor says about a hot event, checked against its parsed form.
    struct Shape: Sendable {
        /// The key of the string appended (`content`, `text`, `delta`, …).
        var textKey: String
        /// The value that key holds in the event the template is built from.
        var text: String
        /// The key of the model value the extractor notes, if the event has one.
        var modelKey: String?
        /// The model value in the event the template is built from.
        var model: String?
        /// Keys whose string or unsigned integer values the extractor never reads.
        var freeKeys: Set<String> = []
        var effect: Effect
        /// Unsigned integer values the extractor reads as usage, by key, as in the event the template is built
        /// from (each key must occur once); a matching event's values are handed to `usage`.
        var numbers: [String: Int] = [:]
        /// Turns the usage numbers of a matching event into its usage (`nil`: the event carries none).
        var usage: (@Sendable ([String: Int]) -> Usage)?
    }

    private enum Hole: Sendable, Equatable {
        case text, model, freeString, freeNumber
        /// A usage number, by its position in `numberKeys`.
        case number(Int)
    }

    private static let quote: UInt8 = 0x22
    private static let backslash: UInt8 = 0x5C
    private static let colon: UInt8 = 0x3A

    /// The kept bytes, and where each literal run lies in them (`holes.count + 1` runs).
    private let storage: [UInt8]
    private let literals: [Range<Int>]
    private let holes: [Hole]
    private let numberKeys: [String]
    private let usage: (@Sendable ([String: Int]) -> Usage)?
    let effect: Effect

    /// Builds a template from an event's bytes and the shape its extractor reported, or `nil` when the bytes
    /// do not show the text (and model) exactly once where the shape says.
    init?(_ bytes: UnsafeBufferPointer<UInt8>, shape: Shape) {
        let n = bytes.count
        var storage: [UInt8] = []
        storage.reserveCapacity(n)
        var literals: [Range<Int>] = []
        var holes: [Hole] = []
        var literalStart = 0
        var previous: UInt8 = 0  // last significant byte outside strings
        var key: ArraySlice<UInt8> = []
        var textHoles = 0
        var modelHoles = 0
        let textKey = Array(shape.textKey.utf8)
        let modelKey = shape.modelKey.map { Array($0.utf8) }
        let freeKeys = Set(shape.freeKeys.map { Array($0.utf8) })
        let numberKeys = Array(shape.numbers.keys)
        let numberKeyBytes = numberKeys.map { Array($0.utf8) }
        var numberHoles = Set<Int>()

        func closeLiteral(at end: Int, hole: Hole) {
            let start = storage.count
            storage.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[literalStart..<end]))
            literals.append(start..<storage.count)
            holes.append(hole)
        }

        var i = 0
        while i < n {
            let b = bytes[i]
            if b == Self.quote {
                guard let end = Self.stringEnd(bytes, from: i) else { return nil }
                var k = end
                while k < n, Self.isSpace(bytes[k]) { k += 1 }
                let content = Array(bytes[(i + 1)..<(end - 1)])
                if k < n, bytes[k] == Self.colon {
                    // An escaped key could hide the real field behind a look-alike: keep such events on the plain path.
                    guard !content.contains(Self.backslash) else { return nil }
                    key = content[...]
                } else if previous == Self.colon {
                    var hole: Hole?
                    if Array(key) == textKey {
                        guard Self.decode(UnsafeBufferPointer(rebasing: bytes[i..<end])) == shape.text else { return nil }
                        hole = .text
                        textHoles += 1
                    } else if let modelKey, Array(key) == modelKey {
                        guard String(decoding: content, as: UTF8.self) == shape.model else { return nil }
                        hole = .model
                        modelHoles += 1
                    } else if freeKeys.contains(Array(key)) {
                        hole = .freeString
                    }
                    if let hole {
                        closeLiteral(at: i, hole: hole)
                        literalStart = end
                    }
                }
                previous = Self.quote
                i = end
                continue
            }
            if previous == Self.colon, b >= 0x30, b <= 0x39 {
                var j = i
                while j < n, bytes[j] >= 0x30, bytes[j] <= 0x39 { j += 1 }
                let hole: Hole
                if let k = numberKeyBytes.firstIndex(of: Array(key)) {
                    guard let value = Self.digits(UnsafeBufferPointer(rebasing: bytes[i..<j])), value == shape.numbers[numberKeys[k]],
                        numberHoles.insert(k).inserted
                    else { return nil }
                    hole = .number(k)
                } else if freeKeys.contains(Array(key)) {
                    hole = .freeNumber
                } else {
                    i = j
                    previous = 0x30
                    continue
                }
                closeLiteral(at: i, hole: hole)
                literalStart = j
                previous = 0x30
                i = j
                continue
            }
            if !Self.isSpace(b) { previous = b }
            i += 1
        }
        guard textHoles == 1, modelHoles == (shape.modelKey == nil ? 0 : 1), numberHoles.count == numberKeys.count else { return nil }
        let start = storage.count
        storage.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[literalStart..<n]))
        literals.append(start..<storage.count)
        self.storage = storage
        self.literals = literals
        self.holes = holes
        self.numberKeys = numberKeys
        self.usage = shape.usage
        self.effect = shape.effect
    }

    /// If the event matches, applies its effect (model, then text) and returns `true`; else changes nothing.
    func apply(_ bytes: UnsafeBufferPointer<UInt8>, to state: inout ExtractionState) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let n = bytes.count
        var pos = 0
        var textRange = 0..<0
        var textEscaped = false
        var modelRange: Range<Int>?
        var numbers: [String: Int] = [:]
        let matched: Bool = storage.withUnsafeBufferPointer { kept in
            guard let keptBase = kept.baseAddress else { return false }
            for (index, literal) in literals.enumerated() {
                guard n - pos >= literal.count, memcmp(base + pos, keptBase + literal.lowerBound, literal.count) == 0 else {
                    return false
                }
                pos += literal.count
                guard index < holes.count else { break }
                let hole = holes[index]
                switch hole {
                case .freeNumber, .number:
                    let start = pos
                    while pos < n, bytes[pos] >= 0x30, bytes[pos] <= 0x39 { pos += 1 }
                    guard pos > start, bytes[start] != 0x30 || pos == start + 1 else { return false }
                    if case .number(let k) = hole {
                        guard let value = Self.digits(UnsafeBufferPointer(rebasing: bytes[start..<pos])) else { return false }
                        numbers[numberKeys[k]] = value
                    }
                    continue
                default:
                    break
                }
                guard pos < n, bytes[pos] == Self.quote else { return false }
                var j = pos + 1
                var escaped = false
                var ascii = true
                while j < n {
                    let b = bytes[j]
                    if b == Self.quote { break }
                    if b == Self.backslash {
                        escaped = true
                        j += 2
                        continue
                    }
                    if b < 0x20 { return false }
                    if b >= 0x80 { ascii = false }
                    j += 1
                }
                guard j < n else { return false }
                switch hole {
                case .text:
                    textRange = pos..<(j + 1)
                    textEscaped = escaped
                case .model:
                    guard !escaped, ascii else { return false }
                    modelRange = (pos + 1)..<j
                case .freeString:
                    guard !escaped, ascii else { return false }
                case .freeNumber, .number:
                    break
                }
                pos = j + 1
            }
            return pos == n
        }
        guard matched else { return false }
        let literal = UnsafeBufferPointer(rebasing: bytes[textRange])
        let text: String?
        if textEscaped {
            text = Self.decode(literal)
        } else {
            text = String(validating: UnsafeBufferPointer(rebasing: literal.dropFirst().dropLast()), as: UTF8.self)
        }
        guard let text else { return false }
        if let modelRange {
            state.noteModel(String(decoding: UnsafeBufferPointer(rebasing: bytes[modelRange]), as: UTF8.self))
        }
        if let usage { state.usage = usage(numbers) }
        switch effect {
        case .text: state.appendText(text)
        case .thinking: state.appendThinking(text)
        }
        return true
    }

    /// The index just past the string literal starting at `start` (a quote), or `nil` if it does not end.
    private static func stringEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var j = start + 1
        while j < bytes.count {
            if bytes[j] == backslash {
                j += 2
                continue
            }
            if bytes[j] == quote { return j + 1 }
            j += 1
        }
        return nil
    }

    /// The value of a run of ASCII digits, or `nil` when it is too long to be a token count.
    private static func digits(_ run: UnsafeBufferPointer<UInt8>) -> Int? {
        guard run.count <= 15 else { return nil }
        var value = 0
        for digit in run { value = value * 10 + Int(digit - 0x30) }
        return value
    }

    /// A JSON string literal (quotes included) decoded by Foundation.
    private static func decode(_ literal: UnsafeBufferPointer<UInt8>) -> String? {
        JSONAccess.parse(literal) as? String
    }

    private static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
    }
}
