/// An incremental decoder for newline-delimited JSON (NDJSON / JSON Lines), as Ollama's native API streams.
///
/// Feed it bytes in pieces of any size; it returns each complete line (without its `\n` or `\r\n`) once
/// the line end has arrived, skipping blank lines. It does not parse JSON: each line is handed on as bytes.
/// At end of input ``finish()`` returns a final line that never got its line end.
public struct NDJSONDecoder: Sendable {
    private static let lf: UInt8 = 0x0A
    private static let cr: UInt8 = 0x0D

    /// Bytes of a line whose end has not arrived yet.
    private var partialLine: [UInt8] = []

    /// Creates a decoder at the start of a stream.
    public init() {}

    /// Decodes the next piece of the stream and returns the lines it completed, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [[UInt8]] {
        var out: [[UInt8]] = []
        decode(bytes) { out.append(Array($0)) }
        return out
    }

    /// Ends the stream. Returns the unterminated final line (trailing CR and blank lines excluded),
    /// or `nil` when the stream ended with a line end. The decoder is then reset.
    public mutating func finish() -> [UInt8]? {
        var result: [UInt8]?
        let line = partialLine
        partialLine = []
        line.withUnsafeBufferPointer { buffer in
            if let trimmed = Self.trimmed(buffer) { result = Array(trimmed) }
        }
        return result
    }

    // MARK: - Internal fast path

    /// Decodes a piece, calling `emit` with each complete non-blank line. The buffer passed to `emit` is
    /// only valid during the call.
    public mutating func decode(_ bytes: some Sequence<UInt8>, _ emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            scan(buffer, emit)
        }
        if done == nil {
            let array = Array(bytes)
            array.withUnsafeBufferPointer { scan($0, emit) }
        }
    }

    private mutating func scan(_ input: UnsafeBufferPointer<UInt8>, _ emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        let n = input.count
        var i = 0
        while i < n {
            guard let j = Self.indexOfLF(input, from: i) else {
                partialLine.append(contentsOf: UnsafeBufferPointer(rebasing: input[i..<n]))
                return
            }
            if partialLine.isEmpty {
                if let line = Self.trimmed(UnsafeBufferPointer(rebasing: input[i..<j])) { emit(line) }
            } else {
                partialLine.append(contentsOf: UnsafeBufferPointer(rebasing: input[i..<j]))
                var line = partialLine
                partialLine = []
                line.withUnsafeBufferPointer { buffer in
                    if let trimmed = Self.trimmed(buffer) { emit(trimmed) }
                }
                line.removeAll(keepingCapacity: true)
                partialLine = line
            }
            i = j + 1
        }
    }

    private static func indexOfLF(_ input: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var j = start
        while j < input.count {
            if input[j] == lf { return j }
            j += 1
        }
        return nil
    }

    /// The line without a trailing CR, or `nil` when it is blank (only spaces, tabs and CRs).
    private static func trimmed(_ line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        var end = line.count
        if end > 0, line[end - 1] == cr { end -= 1 }
        let blank = line[0..<end].allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == cr }
        return blank ? nil : UnsafeBufferPointer(rebasing: line[0..<end])
    }
}
