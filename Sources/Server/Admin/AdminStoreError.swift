/// Why an admin store operation failed: a natural key taken (`conflict`), something that is not there
/// (`notFound`), or the database itself (`database`, with the store's explanation).
public struct AdminStoreError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case conflict
        case notFound
        case database
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
