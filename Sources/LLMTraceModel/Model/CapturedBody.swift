import Foundation

/// A request or response body as llmtrace stored it.
///
/// Text bodies are kept as UTF-8 text; anything else is kept as base64 (`encoding == .base64`).
/// Bodies larger than the capture limit are stored cut to the limit with `truncated == true`;
/// `size` is always the full size that passed through the proxy.
public struct CapturedBody: Codable, Sendable, Equatable {
    public enum Encoding: String, Codable, Sendable {
        case utf8
        case base64
    }

    /// The stored content: UTF-8 text, or base64 of the bytes.
    public var content: String
    public var encoding: Encoding
    /// Bytes that passed through, on the wire (before any content decoding).
    public var size: Int
    /// Whether the stored content stops at the capture limit.
    public var truncated: Bool
    /// The content coding the wire used (`gzip`, `deflate`) when llmtrace decoded it for storage.
    public var decodedFrom: String?

    public init(content: String, encoding: Encoding, size: Int, truncated: Bool, decodedFrom: String? = nil) {
        self.content = content
        self.encoding = encoding
        self.size = size
        self.truncated = truncated
        self.decodedFrom = decodedFrom
    }

    /// Builds a body from captured bytes: text when they are valid UTF-8 (a cut multi-byte character
    /// at the end of a truncated capture is dropped), base64 otherwise.
    public init(bytes: [UInt8], size: Int, truncated: Bool, decodedFrom: String? = nil) {
        self.size = size
        self.truncated = truncated
        self.decodedFrom = decodedFrom
        var usable = bytes[...]
        if truncated { usable = usable.dropLast(UTF8Validation.incompleteSuffixLength(of: bytes)) }
        let hasNUL = usable.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return false }
            return memchr(base, 0, buffer.count) != nil
        }
        if !hasNUL, let text = String(validating: usable, as: UTF8.self) {
            self.content = text
            self.encoding = .utf8
        } else {
            self.content = Data(bytes).base64EncodedString()
            self.encoding = .base64
        }
    }

    /// The stored bytes (decoded from base64 where needed).
    public var bytes: [UInt8] {
        switch encoding {
        case .utf8: return Array(content.utf8)
        case .base64: return Data(base64Encoded: content).map { Array($0) } ?? []
        }
    }

    /// The body as text, when it is text.
    public var text: String? { encoding == .utf8 ? content : nil }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(content, forKey: .content)
        try c.encode(encoding, forKey: .encoding)
        try c.encode(size, forKey: .size)
        try c.encode(truncated, forKey: .truncated)
        try c.encodeIfPresent(decodedFrom, forKey: .decodedFrom)
    }
}

/// Small UTF-8 helpers used when a capture is cut at an arbitrary byte.
public enum UTF8Validation {
    /// How many bytes at the end of `bytes` form the start of a multi-byte character that is not finished.
    public static func incompleteSuffixLength(of bytes: [UInt8]) -> Int {
        var i = bytes.count - 1
        var seen = 0
        while i >= 0, seen < 4 {
            let b = bytes[i]
            seen += 1
            if b & 0xC0 == 0x80 {
                i -= 1
                continue
            }  // continuation byte
            let need: Int
            if b & 0x80 == 0 {
                need = 1
            } else if b & 0xE0 == 0xC0 {
                need = 2
            } else if b & 0xF0 == 0xE0 {
                need = 3
            } else if b & 0xF8 == 0xF0 {
                need = 4
            } else {
                return 0
            }
            return seen < need ? seen : 0
        }
        return 0
    }
}
