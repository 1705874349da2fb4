/// Helpers shared by the fuzz targets: ways of cutting one input into pieces, so a decoder can be fed the
/// same stream whole and in pieces and the results compared.

/// How a stream is cut into pieces for a differential run.
public enum Split: Sendable, CaseIterable, CustomStringConvertible {
    /// One piece: the whole input.
    case whole
    /// One byte per piece.
    case bytes
    /// Small pieces (1...8 bytes) whose sizes are read from the input's own bytes.
    case small
    /// Larger pieces (1...64 bytes) whose sizes are read from the input's own bytes, starting elsewhere.
    case large

    public var description: String {
        switch self {
        case .whole: "whole"
        case .bytes: "1-byte pieces"
        case .small: "input-derived pieces of 1...8 bytes"
        case .large: "input-derived pieces of 1...64 bytes"
        }
    }

    /// The piece boundaries for `bytes` (ranges covering `0..<bytes.count` in order; none for empty input).
    public func ranges(_ bytes: [UInt8]) -> [Range<Int>] {
        let n = bytes.count
        guard n > 0 else { return [] }
        switch self {
        case .whole:
            return [0..<n]
        case .bytes:
            return (0..<n).map { $0..<($0 + 1) }
        case .small, .large:
            let (modulus, offset) = self == .small ? (8, 0) : (64, n / 2)
            var out: [Range<Int>] = []
            var start = 0
            var k = 0
            while start < n {
                // Mix the byte with its position so runs of equal bytes still give varied sizes.
                let b = Int(bytes[(offset + k) % n]) &+ k &* 31
                let size = 1 + (b % modulus)
                let end = min(start + size, n)
                out.append(start..<end)
                start = end
                k += 1
            }
            return out
        }
    }
}

/// Feeds `bytes` to `feed` cut as `split` says. Every other piece is passed as a non-contiguous sequence,
/// so the decoders' copy fallback (no contiguous storage) is exercised too.
public func feedPieces(_ bytes: [UInt8], _ split: Split, _ feed: (any Sequence<UInt8>) -> Void) {
    for (index, range) in split.ranges(bytes).enumerated() {
        let piece = bytes[range]
        if index % 2 == 1, split != .whole {
            feed(piece.lazy.map { $0 })
        } else {
            feed(piece)
        }
    }
}

/// Stops the fuzzer with a readable message (libFuzzer reports the trap and saves the input).
public func fuzzFailure(_ what: String, _ details: @autoclosure () -> String) -> Never {
    fatalError("FUZZ FAILURE: \(what)\n\(details())")
}

/// The input as a `[UInt8]`.
public func inputBytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: data, count: size))
}

/// A short printable form of some bytes, for failure messages.
public func show(_ bytes: [UInt8]) -> String {
    String(reflecting: String(decoding: bytes.prefix(400), as: UTF8.self)) + (bytes.count > 400 ? "…(\(bytes.count) bytes)" : "")
}
