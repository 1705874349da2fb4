/// A message in the status line, until it expires.
public struct StatusMessage: Sendable, Equatable {
    public var text: String
    public var isError: Bool
    /// When it disappears (`nil`: until replaced).
    public var expiresAt: Double?

    public init(text: String, isError: Bool = false, expiresAt: Double? = nil) {
        self.text = text
        self.isError = isError
        self.expiresAt = expiresAt
    }
}
