import LLMTraceModel

/// Something told about every finished exchange, on the forwarding path, after the record is queued for
/// the store: metrics and trace exporters. It must not wait or do much work (hand the record to its own
/// task if it has to).
public protocol ExchangeObserver: Sendable {
    /// `record` is complete or cut off (`complete == false` with its duration set), bodies included;
    /// `timing` is what the proxy measured beside it (the time llmtrace itself added).
    func exchangeFinished(_ record: TraceRecord, timing: ExchangeTiming)
}

/// What the proxy measured about an exchange that its record does not carry.
public struct ExchangeTiming: Sendable, Equatable {
    /// The time llmtrace spent on the request before it went upstream: from its arrival to its head being
    /// written on an upstream connection, less the wait for the client's body (when it is sent whole) and
    /// for a new upstream connection (a client talking to the upstream directly waits for both too).
    /// `nil` when the request never went upstream (refused, or the upstream was unreachable).
    public var overhead: Duration?

    public init(overhead: Duration? = nil) {
        self.overhead = overhead
    }
}
