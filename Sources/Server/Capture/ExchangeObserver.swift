import LLMTraceModel

/// Something told about every finished exchange, on the forwarding path, after the record is queued for
/// the store: metrics and trace exporters. It must not wait or do much work (hand the record to its own
/// task if it has to).
public protocol ExchangeObserver: Sendable {
    /// `record` is complete or cut off (`complete == false` with its duration set), bodies included.
    func exchangeFinished(_ record: TraceRecord)
}
