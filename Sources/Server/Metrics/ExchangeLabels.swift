import LLMTraceModel

/// The labels an exchange's metrics carry: its environment, model, provider and status class, each
/// folded by ``MetricLabelFolder`` so that their number stays bounded whatever the traffic says.
struct ExchangeLabels: Hashable, Sendable {
    var env: String
    var model: String
    var provider: String
    /// `2xx`, `3xx`, `4xx`, `5xx`, or `error` when the exchange got no HTTP status (unreachable upstream,
    /// client gone before the answer).
    var statusClass: String

    /// The Prometheus label pairs, in a fixed order.
    var pairs: [(String, String)] {
        [("env", env), ("model", model), ("provider", provider), ("status_class", statusClass)]
    }

    /// The status class of an exchange that ended with `status`.
    static func statusClass(_ status: Int?) -> String {
        switch status {
        case .some(200..<300): "2xx"
        case .some(300..<400): "3xx"
        case .some(400..<500): "4xx"
        case .some(500..<600): "5xx"
        case .some(100..<200): "1xx"
        default: "error"
        }
    }
}
