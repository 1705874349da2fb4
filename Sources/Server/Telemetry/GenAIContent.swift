import Foundation
import LLMTraceModel

/// The prompts and answers of an exchange as `gen_ai.input.messages` and `gen_ai.output.messages` (JSON
/// strings), exported only with `--otlp-content`. The input is the request's own message list (`messages`,
/// `contents`, `input` or `prompt`, in the provider's shape), the whole body when it has none of those;
/// the output is one assistant message per choice with its text and finish reason, as the conventions show it.
enum GenAIContent {
    /// The most characters of a message attribute; longer ones are cut (collectors refuse huge attributes).
    static let maxLength = 64 << 10

    static func inputMessages(_ body: CapturedBody?) -> String? {
        guard let body, let text = body.text, !text.isEmpty else { return nil }
        if let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] {
            for key in ["messages", "contents", "input", "prompt"] {
                guard let value = object[key] else { continue }
                if let string = value as? String { return cut(string) }
                if JSONSerialization.isValidJSONObject(value),
                    let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]),
                    let json = String(data: data, encoding: .utf8)
                {
                    return cut(json)
                }
            }
        }
        return cut(text)
    }

    static func outputMessages(_ record: TraceRecord) -> String? {
        let choices: [(text: String?, finish: String?)] =
            record.choices.map { $0.map { ($0.text, $0.finishReason) } } ?? [(record.summary.text, record.summary.finishReason)]
        let messages: [[String: Any]] = choices.compactMap { choice in
            guard choice.text != nil || choice.finish != nil else { return nil }
            var message: [String: Any] = ["role": "assistant", "parts": choice.text.map { [["type": "text", "content": $0]] } ?? []]
            if let finish = choice.finish { message["finish_reason"] = finish }
            return message
        }
        guard !messages.isEmpty,
            let data = try? JSONSerialization.data(withJSONObject: messages, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return nil }
        return String(data: data, encoding: .utf8).map(cut)
    }

    private static func cut(_ s: String) -> String {
        s.utf8.count <= maxLength ? s : String(decoding: s.utf8.prefix(maxLength), as: UTF8.self)
    }
}
