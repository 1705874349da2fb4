import Foundation
import Synchronization

/// Generates record ids that sort in the order requests arrived: 12 hex digits of milliseconds since
/// 1970, then 8 hex digits of a per-process sequence mixed with a random start, e.g. `0192f3a1c2d4-00a3f1b2`.
///
/// Sorting ids as strings sorts records by start time, which is what cursor paging relies on.
public final class RecordIDGenerator: Sendable {
    private let state: Mutex<(lastMillis: UInt64, sequence: UInt32)>

    public init() {
        state = Mutex((0, UInt32.random(in: 0..<(1 << 24))))
    }

    /// A new id, strictly greater than every id this generator returned before.
    public func next(now: Date = Date()) -> String {
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        let (ms, seq) = state.withLock { s -> (UInt64, UInt32) in
            if millis > s.lastMillis {
                s.lastMillis = millis
            }
            s.sequence &+= 1
            if s.sequence == 0 { s.lastMillis += 1 }  // wrapped: move time forward to stay increasing
            return (s.lastMillis, s.sequence)
        }
        return Self.hex(ms, width: 12) + "-" + Self.hex(UInt64(seq), width: 8)
    }

    /// Whether `id` has the form ids are made in (`0192f3a1c2d4-00a3f1b2`): what a page cursor must be.
    public static func isWellFormed(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard bytes.count == 21, bytes[12] == UInt8(ascii: "-") else { return false }
        return bytes.enumerated().allSatisfy { i, b in
            i == 12 || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "f"))
        }
    }

    private static func hex(_ value: UInt64, width: Int) -> String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
