import LLMTraceModel

/// Understands Ollama's native API: `/api/chat` and `/api/generate` (NDJSON stream of objects ending with
/// `done: true`, or one object when `stream` is false) and `/api/embed`.
///
/// `message.content` / `response` are visible text; `message.thinking` / `thinking` go to thinking;
/// `message.tool_calls` arguments (objects) become JSON text. Usage: `prompt_eval_count` (input) and
/// `eval_count` (output), sent in the final object. The finish reason is `done_reason`.
enum OllamaExtractor {
    /// Reads one NDJSON line (or a whole body).
    static func chunk(_ o: [String: Any], into s: inout ExtractionState) {
        if let e = ErrorBodyParser.error(in: o) { s.error = e }
        s.noteModel(o["model"])
        if let message = JSONAccess.object(o["message"]) {
            s.appendText(JSONAccess.string(message["content"]) ?? "")
            if let thinking = JSONAccess.string(message["thinking"]) { s.appendThinking(thinking) }
            for call in JSONAccess.objects(message["tool_calls"]) ?? [] {
                let function = JSONAccess.object(call["function"])
                s.tools.append(
                    id: JSONAccess.string(call["id"]),
                    name: JSONAccess.string(function?["name"]) ?? "",
                    arguments: JSONAccess.jsonText(function?["arguments"]),
                    type: ToolCall.functionType
                )
            }
        }
        if let response = JSONAccess.string(o["response"]) { s.appendText(response) }
        if let thinking = JSONAccess.string(o["thinking"]) { s.appendThinking(thinking) }
        if let reason = JSONAccess.nonEmptyString(o["done_reason"]) { s.finishReason = reason }
        let input = JSONAccess.int(o["prompt_eval_count"])
        let output = JSONAccess.int(o["eval_count"])
        if input != nil || output != nil {
            s.usage = Usage(inputTokens: input, outputTokens: output, totalTokens: OpenAIChatExtractor.sum(input, output))
        }
        if JSONAccess.isTrue(o["done"]) { s.complete = true }
    }

    /// The hot shape of a line whose only effect is noting the model and appending `message.content` or
    /// `response` (see ``EventTemplate``), else `nil`.
    static func hotShape(_ o: [String: Any]) -> EventTemplate.Shape? {
        guard o["error"] == nil, !JSONAccess.isTrue(o["done"]), o["done_reason"] == nil, o["prompt_eval_count"] == nil,
            o["eval_count"] == nil, o["thinking"] == nil, let model = o["model"] as? String
        else { return nil }
        let free: Set<String> = ["created_at"]
        if let message = JSONAccess.object(o["message"]) {
            guard o["response"] == nil, message["thinking"] == nil, message["tool_calls"] == nil,
                let text = message["content"] as? String
            else { return nil }
            return EventTemplate.Shape(textKey: "content", text: text, modelKey: "model", model: model, freeKeys: free, effect: .text)
        }
        guard o["message"] == nil, let text = o["response"] as? String else { return nil }
        return EventTemplate.Shape(textKey: "response", text: text, modelKey: "model", model: model, freeKeys: free, effect: .text)
    }

    /// Reads a whole `/api/embed` body.
    static func embedBody(_ o: [String: Any], into s: inout ExtractionState) {
        chunk(o, into: &s)
        s.complete = true
    }
}
