import LLMTraceModel

/// Understands a finished (or cut-off) exchange: provider, endpoint, model, usage, text, tool calls,
/// finish reason, error and whether the response ended properly.
public enum ExchangeAnalyzer {
    /// Analyses an exchange whose response body is complete or was cut off (at a size limit or a disconnect).
    /// Equal to a ``StreamAccumulator`` fed the whole response body, then finished.
    public static func analyze(_ exchange: Exchange) -> ExchangeAnalysis {
        var accumulator = StreamAccumulator(exchange: exchange)
        _ = accumulator.feed(exchange.responseBody)
        return accumulator.finish()
    }
}
