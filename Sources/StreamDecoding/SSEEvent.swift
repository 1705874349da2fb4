/// One Server-Sent Events message, as dispatched by ``SSEDecoder``.
public struct SSEEvent: Sendable, Equatable, Hashable {
    /// The `event:` field, or `nil` when the message had none (the default type, `message`).
    public var event: String?
    /// The `data:` lines joined with `\n`.
    public var data: String
    /// The last event ID in force when the message was dispatched (`id:` persists across messages,
    /// as in the spec), or `nil` when none was set or it was reset to empty.
    public var id: String?
    /// The reconnection time (milliseconds) set by a `retry:` field since the previous message, if any.
    public var retry: Int?

    /// Creates an event.
    public init(event: String? = nil, data: String, id: String? = nil, retry: Int? = nil) {
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
    }
}
