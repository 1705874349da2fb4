import NIOCore

/// Collects a body's bytes as they pass, up to a limit, and counts all of them.
struct BodyCapture: Sendable {
    let limit: Int
    private(set) var bytes: [UInt8] = []
    private(set) var size = 0

    init(limit: Int) {
        self.limit = limit
    }

    var truncated: Bool { size > bytes.count }

    mutating func append(_ buffer: ByteBuffer) {
        size += buffer.readableBytes
        let room = limit - bytes.count
        guard room > 0 else { return }
        buffer.withUnsafeReadableBytes { raw in
            bytes.append(contentsOf: raw.prefix(room))
        }
    }
}
