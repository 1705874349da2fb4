/// One of several alternative answers of a response that asked for more than one (OpenAI's `n`).
/// A record lists them in ``TraceRecord/choices`` only when the response had more than one; its
/// ``TraceSummary/text`` and ``TraceSummary/finishReason`` are always choice 0's.
public struct Choice: Codable, Sendable, Equatable, Hashable {
    /// The choice's `index` on the wire.
    public var index: Int
    /// Its visible text; `nil` when it had none (only tool calls, or cut off before any text).
    public var text: String?
    /// Its finish reason, the provider's raw value; `nil` when none arrived.
    public var finishReason: String?

    /// Creates a choice.
    public init(index: Int, text: String?, finishReason: String?) {
        self.index = index
        self.text = text
        self.finishReason = finishReason
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(text, forKey: .text)
        try c.encode(finishReason, forKey: .finishReason)
    }
}
