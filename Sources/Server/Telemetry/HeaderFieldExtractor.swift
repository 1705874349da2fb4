import LLMTraceModel
import Tracing

/// Reads trace context headers (`traceparent`, `tracestate`) from a record's request headers, so a span
/// joins the trace of the application that made the call.
struct HeaderFieldExtractor: Extractor {
    func extract(key: String, from carrier: [HeaderField]) -> String? {
        carrier.first { $0.name.caseInsensitiveCompare(key) == .orderedSame }?.value
    }
}
