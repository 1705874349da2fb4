import Foundation

/// Understands an exchange: which provider and endpoint, which model, whether it streamed.
public enum ExchangeAnalyzer {
    /// Analyses a finished (or cut-off) exchange.
    public static func analyze(_ exchange: Exchange) -> ExchangeAnalysis {
        var a = ExchangeAnalysis()
        let request = try? JSONSerialization.jsonObject(with: Data(exchange.requestBody)) as? [String: Any]
        a.model = request?["model"] as? String
        let contentType = exchange.responseHeader("content-type")?.lowercased() ?? ""
        a.stream = contentType.hasPrefix("text/event-stream") || contentType.contains("ndjson") || (request?["stream"] as? Bool ?? false)
        return a
    }
}
