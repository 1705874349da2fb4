import Foundation
import LLMTraceModel

/// Reads the provider's error type and message out of an error body or an in-stream error event:
/// OpenAI `{"error":{"type","message","code"}}`, Anthropic `{"type":"error","error":{…}}`,
/// Gemini `{"error":{"status","message"}}` (also inside an array), Ollama `{"error":"…"}`,
/// Responses API `{"type":"error","code","message"}`.
enum ErrorBodyParser {
    /// Type used when the wire gave a message but no type.
    static let genericType = "error"

    /// The error carried by a parsed JSON value, or `nil` when it carries none.
    static func error(in json: Any) -> TraceError? {
        if let array = json as? [Any] {
            for element in array {
                if let e = error(in: element) { return e }
            }
            return nil
        }
        guard let object = json as? [String: Any] else { return nil }
        if let e = object["error"] {
            if let detail = e as? [String: Any] { return error(detail: detail) }
            if let message = e as? String { return TraceError(type: genericType, message: message) }
        }
        if JSONAccess.string(object["type"]) == "error" {
            return error(detail: object)
        }
        return nil
    }

    /// The error of a whole response body with an HTTP error status: the provider's error when the body
    /// carries one, else `http_error` with the start of the body (or the status when the body is empty).
    static func error(body: [UInt8], status: Int?, fastJSON: Bool = true) -> TraceError {
        if let json = JSONAccess.parse(body, fast: fastJSON) {
            if let e = error(in: json) { return e }
            if let object = json as? [String: Any] {
                if let message = JSONAccess.string(object["message"]) {
                    let type = typeName(object) ?? genericType
                    return TraceError(type: type, message: message)
                }
                if let detail = JSONAccess.string(object["detail"]) {
                    return TraceError(type: genericType, message: detail)
                }
            }
        }
        let text = String(decoding: body.prefix(1000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return TraceError(type: "http_error", message: text.isEmpty ? "HTTP \(status.map(String.init) ?? "error")" : text)
    }

    /// An error object's type (`type`, else `status`, else `code`) and message.
    private static func error(detail: [String: Any]) -> TraceError {
        let type = typeName(detail) ?? genericType
        let message = JSONAccess.string(detail["message"]) ?? JSONAccess.jsonText(detail)
        return TraceError(type: type, message: message)
    }

    private static func typeName(_ object: [String: Any]) -> String? {
        if let t = JSONAccess.nonEmptyString(object["type"]), t != "error" { return t }
        if let s = JSONAccess.nonEmptyString(object["status"]) { return s }
        if let c = JSONAccess.nonEmptyString(object["code"]) { return c }
        if let c = JSONAccess.int(object["code"]) { return String(c) }
        return nil
    }
}
