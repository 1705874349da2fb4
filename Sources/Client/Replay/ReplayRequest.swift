import Foundation
import LLMTraceModel

/// A captured request made ready to send again through the proxy (`llmtrace replay`, the TUI's `r`):
/// the same method, route, headers and body, the API key given now in the header the original carried
/// it in (llmtrace never stored it), optionally another model or body, and `x-llmtrace-replay-of` so the
/// new record links to the original.
public struct ReplayRequest: Sendable, Equatable {
    public var method: String
    /// `/proxy/{env}/{scheme}/{host}{path}?{query}` on the llmtrace server.
    public var pathAndQuery: String
    public var headers: [HeaderField]
    public var body: [UInt8]

    /// Where a provider takes its API key.
    public enum KeyPlace: Sendable, Equatable {
        /// `Authorization: Bearer KEY` (OpenAI and compatible servers).
        case bearer
        /// A header of its own: `x-api-key` (Anthropic), `api-key` (Azure OpenAI), `x-goog-api-key` (Gemini).
        case header(String)
        /// The `key` query parameter (Gemini's older form).
        case query(String)
    }

    /// Headers never copied from the record: the proxy's own, framing, and the secrets (given anew).
    static let dropped: Set<String> = [
        "host", "content-length", "transfer-encoding", "connection", "keep-alive", "expect", "accept-encoding",
        "x-llmtrace-session", "x-llmtrace-replay-of", "x-llmtrace-key", "x-llmtrace-env",
    ]

    /// Builds the replay of `record`.
    /// - Parameters:
    ///   - key: the API key to send (`nil`: none, for a server that needs none, such as Ollama).
    ///   - model: another model for the request body (and the URL, for Gemini).
    ///   - body: a body to send instead of the captured one (after `--edit`).
    ///   - ingestKey: a shared-mode environment's ingest key, sent as `x-llmtrace-key`.
    public init(record: TraceRecord, key: String?, model: String? = nil, body: [UInt8]? = nil, ingestKey: String? = nil) throws(ReplayError) {
        let s = record.summary
        guard !s.host.isEmpty, s.scheme == "http" || s.scheme == "https" else {
            throw ReplayError("\(s.id) has no upstream to send to (its route did not parse: \(s.path))")
        }
        var bytes: [UInt8]
        if let body {
            bytes = body
        } else {
            if let captured = record.requestBody, captured.truncated {
                throw ReplayError(
                    "the request body of \(s.id) was captured only in part (\(captured.bytes.count) of \(captured.size) bytes; raise --max-body-bytes on the server), so it cannot be sent again"
                )
            }
            bytes = record.requestBody?.bytes ?? []
        }
        var path = s.path
        if let model {
            bytes = try Self.replacingModel(in: bytes, with: model, id: s.id)
            path = Self.replacingModel(inPath: path, with: model)
        }
        let place = Self.keyPlace(record)
        var query = s.query
        var headers = record.requestHeaders.filter { !Self.dropped.contains($0.name.lowercased()) && !Self.isRedacted($0) }
        if let key {
            switch place {
            case .bearer: headers.append(HeaderField(name: "authorization", value: "Bearer \(key)"))
            case .header(let name): headers.append(HeaderField(name: name, value: key))
            case .query(let name): query = Self.replacingParameter(name, in: query, with: key)
            }
        } else if case .query(let name) = place {
            query = Self.replacingParameter(name, in: query, with: nil)
        }
        headers.append(HeaderField(name: "x-llmtrace-replay-of", value: s.id))
        if let ingestKey { headers.append(HeaderField(name: "x-llmtrace-key", value: ingestKey)) }
        method = s.method
        pathAndQuery = "/proxy/\(s.env)/\(s.scheme)/\(s.host)\(path)" + (query.map { "?\($0)" } ?? "")
        self.headers = headers
        self.body = bytes
    }

    /// Where the original request carried its key: the header that was redacted, else the `key` query
    /// parameter, else what the provider uses.
    public static func keyPlace(_ record: TraceRecord) -> KeyPlace {
        for h in record.requestHeaders where isRedacted(h) {
            let name = h.name.lowercased()
            if name == "authorization" { return .bearer }
            if ["x-api-key", "api-key", "x-goog-api-key"].contains(name) { return .header(name) }
        }
        if let query = record.summary.query, query.split(separator: "&").contains(where: { $0.hasPrefix("key=") }) { return .query("key") }
        switch record.summary.provider {
        case "anthropic": return .header("x-api-key")
        case "gemini": return .header("x-goog-api-key")
        case "azure-openai": return .header("api-key")
        default: return .bearer
        }
    }

    /// The environment variable `llmtrace replay` reads the key from for `provider`.
    public static func keyVariable(provider: String?) -> String {
        switch provider {
        case "anthropic": return "ANTHROPIC_API_KEY"
        case "gemini": return "GEMINI_API_KEY"
        case "azure-openai": return "AZURE_OPENAI_API_KEY"
        default: return "OPENAI_API_KEY"
        }
    }

    /// Whether a header's value is llmtrace's redaction of a secret.
    static func isRedacted(_ h: HeaderField) -> Bool {
        h.value.contains("<redacted")
    }

    static func replacingModel(in body: [UInt8], with model: String, id: String) throws(ReplayError) -> [UInt8] {
        guard !body.isEmpty else { return body }
        guard var object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            throw ReplayError("the request body of \(id) is not a JSON object, so --model cannot change it; use --edit")
        }
        // Gemini names the model in the URL only.
        guard object["model"] != nil else { return body }
        object["model"] = model
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes]) else {
            throw ReplayError("the request body of \(id) could not be written back as JSON")
        }
        return Array(data)
    }

    /// Gemini's `…/models/{model}:generateContent` with another model.
    static func replacingModel(inPath path: String, with model: String) -> String {
        guard let range = path.range(of: "/models/"), let colon = path[range.upperBound...].firstIndex(of: ":") else { return path }
        return path.replacingCharacters(in: range.upperBound..<colon, with: model)
    }

    static func replacingParameter(_ name: String, in query: String?, with value: String?) -> String? {
        guard let query else { return value.map { "\(name)=\(LLMTraceClient.escape($0))" } }
        var pairs = query.split(separator: "&", omittingEmptySubsequences: false).map(String.init).filter { !$0.hasPrefix(name + "=") }
        if let value { pairs.append("\(name)=\(LLMTraceClient.escape(value))") }
        return pairs.isEmpty ? nil : pairs.joined(separator: "&")
    }
}

/// Why a record cannot be replayed, with what to do about it.
public struct ReplayError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
