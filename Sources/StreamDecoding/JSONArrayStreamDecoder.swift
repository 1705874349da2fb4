/// An incremental splitter for a streamed JSON array, as Gemini's `streamGenerateContent` sends without
/// `alt=sse`: `[{…}\n,\r\n{…}\n]`. It hands on the bytes of each top-level element as soon as the element is
/// complete, tracking only brackets, braces and string literals (no values are parsed here).
///
/// A stream that is not an array (one or more concatenated top-level values) is split into those values.
/// Results do not depend on how the input is cut into pieces.
public struct JSONArrayStreamDecoder: Sendable {
    /// Bytes of the element being read.
    private var element: [UInt8] = []
    /// Nesting depth inside the current element.
    private var depth = 0
    private var inString = false
    private var escaped = false
    /// Whether the stream opened with `[` (then depth-0 commas separate elements).
    private var inArray = false
    /// Whether any non-whitespace byte was seen yet.
    private var started = false

    /// Whether the top-level array was closed with `]`.
    public private(set) var closed = false

    /// Creates a decoder at the start of a stream.
    public init() {}

    /// Decodes the next piece and returns the bytes of each element it completed, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [[UInt8]] {
        var out: [[UInt8]] = []
        decode(bytes) { out.append($0) }
        return out
    }

    /// Ends the stream. Returns the bytes of an element that was still open (the stream was cut), if any.
    /// The decoder is then reset, ``closed`` included.
    public mutating func finish() -> [UInt8]? {
        let rest = Self.trimmed(element)
        self = JSONArrayStreamDecoder()
        return rest.isEmpty ? nil : rest
    }

    // MARK: - Internal

    public mutating func decode(_ bytes: some Sequence<UInt8>, _ emit: ([UInt8]) -> Void) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { scan($0, emit) }
        if done == nil {
            let array = Array(bytes)
            array.withUnsafeBufferPointer { scan($0, emit) }
        }
    }

    private mutating func scan(_ input: UnsafeBufferPointer<UInt8>, _ emit: ([UInt8]) -> Void) {
        var runStart = 0  // start of the bytes not yet copied into `element`
        var i = 0
        let n = input.count
        func flush(_ end: Int) {
            if end > runStart { element.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<end])) }
        }
        while i < n {
            let b = input[i]
            if inString {
                if escaped {
                    escaped = false
                } else if b == 0x5C {  // backslash
                    escaped = true
                } else if b == 0x22 {
                    inString = false
                }
                i += 1
                continue
            }
            switch b {
            case 0x22:
                inString = true
                started = true
            case 0x7B, 0x5B:  // { [
                if !started, b == 0x5B, depth == 0 {
                    started = true
                    inArray = true
                    runStart = i + 1
                    i += 1
                    continue
                }
                started = true
                depth += 1
            case 0x7D, 0x5D:  // } ]
                started = true  // a stream that starts with a stray closer did not open with `[`
                if depth == 0 {
                    if inArray, b == 0x5D {
                        flush(i)
                        emitElement(emit)
                        closed = true
                        inArray = false
                        runStart = i + 1
                    }
                } else {
                    depth -= 1
                    if depth == 0, !inArray {
                        flush(i + 1)
                        emitElement(emit)
                        runStart = i + 1
                    }
                }
            case 0x2C:  // ,
                started = true  // nor did one that starts with a comma
                if depth == 0, inArray {
                    flush(i)
                    emitElement(emit)
                    runStart = i + 1
                }
            default:
                if b != 0x20, b != 0x0A, b != 0x0D, b != 0x09 { started = true }
            }
            i += 1
        }
        flush(n)
    }

    private mutating func emitElement(_ emit: ([UInt8]) -> Void) {
        let value = Self.trimmed(element)
        element.removeAll(keepingCapacity: true)
        if !value.isEmpty { emit(value) }
    }

    private static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return []
        }
        return Array(bytes[first...last])
    }
}
