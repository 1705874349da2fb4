/// A configuration problem, with a message that says what to change.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
