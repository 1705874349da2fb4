import Foundation
import NIOCore

/// Counts the records of an export as its bytes stream past, and says how far it got: a line redrawn
/// on a terminal (records, rate, time left when the total is known).
public struct ExportProgress: Sendable {
    /// The records expected, when known (from `/api/stats`).
    public let total: Int?
    /// Rows seen so far.
    public private(set) var records = 0
    private let format: String
    private var previous: UInt8 = 0
    private var headerSeen = false
    private let started = ContinuousClock.now

    /// Counting rows of `format`: `csv` lines (ending in CRLF) after the header, `jsonl` lines, `json`
    /// objects (each starts a line with `{`).
    public init(format: String, total: Int?) {
        self.format = format
        self.total = total
    }

    /// Counts the rows in `chunk`.
    public mutating func add(_ chunk: ByteBuffer) {
        for byte in chunk.readableBytesView {
            switch format {
            case "csv" where previous == 0x0D && byte == 0x0A:
                if headerSeen { records += 1 } else { headerSeen = true }
            case "jsonl" where byte == 0x0A: records += 1
            case "json" where previous == 0x0A && byte == UInt8(ascii: "{"): records += 1
            default: break
            }
            previous = byte
        }
    }

    /// `12 345 records · 4 100/s · 3s left`.
    public var line: String {
        let elapsed =
            Double((ContinuousClock.now - started).components.seconds) + Double((ContinuousClock.now - started).components.attoseconds) / 1e18
        let rate = elapsed > 0 ? Double(records) / elapsed : 0
        var text = "\(records)\(total.map { " of \($0)" } ?? "") records · \(Int(rate))/s"
        if let total, rate > 0, total > records { text += " · \(Int((Double(total - records) / rate).rounded(.up)))s left" }
        return text
    }
}
