/// What using a refresh token did.
public enum RefreshOutcome: Sendable, Equatable {
    /// The token was live: it is spent now and its replacement stored; the session belongs to `userID`.
    case rotated(userID: String)
    /// The token had been spent already: someone replayed it, so its whole session is revoked.
    case reused
    /// Unknown, expired, or of a revoked session.
    case invalid
}
