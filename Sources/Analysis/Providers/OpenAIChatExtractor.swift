import Foundation
import LLMTraceModel

/// Understands OpenAI-shaped Chat Completions, legacy Completions and Embeddings responses, streamed
/// (`chat.completion.chunk` events ending with `[DONE]`) or whole. Used for every OpenAI-compatible server.
///
/// Choice 0 (`index` 0) gives text, thinking, tool calls and finish reason; with `n > 1` every other choice's
/// visible text and finish reason are kept apart (``ExtractionState/otherChoices``). `reasoning_content` / `reasoning` go to thinking; `refusal`
/// counts as visible text. Tool-call fragments are joined by their `index`, however they interleave.
enum OpenAIChatExtractor {
    /// Reads one streamed chunk.
    static func chunk(_ o: [String: Any], into s: inout ExtractionState) {
        if let e = ErrorBodyParser.error(in: o) { s.error = e }
        s.noteModel(o["model"])
        readUsage(o, into: &s)
        for choice in JSONAccess.objects(o["choices"]) ?? [] {
            readChoice(choice, messageKey: "delta", streamed: true, into: &s)
        }
    }

    /// Reads a whole (non-streamed) response body.
    static func body(_ o: [String: Any], into s: inout ExtractionState) {
        if let e = ErrorBodyParser.error(in: o) { s.error = e }
        s.noteModel(o["model"])
        readUsage(o, into: &s)
        for choice in JSONAccess.objects(o["choices"]) ?? [] {
            readChoice(choice, messageKey: "message", streamed: false, into: &s)
        }
        s.complete = true
    }

    /// The hot shape of a streamed chunk whose only effect is noting the model and appending one text or
    /// reasoning string (see ``EventTemplate``), or `nil` for any other chunk.
    static func hotShape(_ o: [String: Any]) -> EventTemplate.Shape? {
        guard o["error"] == nil, isNull(o["usage"]), isNull(JSONAccess.object(o["x_groq"])?["usage"]),
            let choices = o["choices"] as? [Any], choices.count == 1, let choice = choices[0] as? [String: Any],
            (JSONAccess.int(choice["index"]) ?? 0) == 0, choice["text"] == nil, choice["message"] == nil,
            isNull(choice["finish_reason"]), let delta = choice["delta"] as? [String: Any],
            isNull(delta["tool_calls"]), isNull(delta["function_call"]), isNull(delta["refusal"])
        else { return nil }
        let model: String?
        switch o["model"] {
        case nil: model = nil
        case let m as String: model = m
        default: return nil
        }
        let content = delta["content"]
        let reasoningContent = delta["reasoning_content"]
        let reasoning = delta["reasoning"]
        var shape = EventTemplate.Shape(
            textKey: "content",
            text: "",
            modelKey: model == nil ? nil : "model",
            model: model,
            freeKeys: ["id", "object", "created", "system_fingerprint", "obfuscation", "service_tier"],
            effect: .text
        )
        if let text = content as? String, isNull(reasoningContent), isNull(reasoning) {
            shape.text = text
        } else if isNull(content), let text = reasoningContent as? String {
            (shape.textKey, shape.text, shape.effect) = ("reasoning_content", text, .thinking)
        } else if isNull(content), isNull(reasoningContent), let text = reasoning as? String {
            (shape.textKey, shape.text, shape.effect) = ("reasoning", text, .thinking)
        } else {
            return nil
        }
        return shape
    }

    /// Whether a value is absent or JSON `null`.
    static func isNull(_ value: Any?) -> Bool {
        value == nil || value is NSNull
    }

    /// Normalised usage from an OpenAI-style `usage` object.
    static func usage(_ u: [String: Any]) -> Usage {
        var usage = Usage()
        usage.inputTokens = JSONAccess.int(u["prompt_tokens"]) ?? JSONAccess.int(u["input_tokens"])
        usage.outputTokens = JSONAccess.int(u["completion_tokens"]) ?? JSONAccess.int(u["output_tokens"])
        usage.cachedInputTokens =
            JSONAccess.int(JSONAccess.object(u["prompt_tokens_details"])?["cached_tokens"])
            ?? JSONAccess.int(u["prompt_cache_hit_tokens"])  // DeepSeek
        usage.reasoningTokens = JSONAccess.int(JSONAccess.object(u["completion_tokens_details"])?["reasoning_tokens"])
        usage.totalTokens = JSONAccess.int(u["total_tokens"]) ?? sum(usage.inputTokens, usage.outputTokens)
        return usage
    }

    /// `a + b` when both are known.
    static func sum(_ a: Int?, _ b: Int?) -> Int? {
        guard let a, let b else { return nil }
        return a + b
    }

    private static func readUsage(_ o: [String: Any], into s: inout ExtractionState) {
        if let u = JSONAccess.object(o["usage"]) {
            s.usage = usage(u)
        } else if let u = JSONAccess.object(JSONAccess.object(o["x_groq"])?["usage"]) {  // Groq streams
            s.usage = usage(u)
        }
    }

    /// Reads one choice of a chunk (`delta`) or body (`message`). Choice 0 gives the text, thinking, tool
    /// calls and finish reason; any other only its visible text and finish reason.
    private static func readChoice(_ choice: [String: Any], messageKey: String, streamed: Bool, into s: inout ExtractionState) {
        let index = JSONAccess.int(choice["index"]) ?? 0
        if let message = JSONAccess.object(choice[messageKey]) {
            if index == 0 {
                readMessage(message, streamed: streamed, into: &s)
            } else {
                readOtherMessage(message, index: index, into: &s)
            }
        }
        if let text = JSONAccess.string(choice["text"]) { s.appendText(text, choice: index) }  // legacy completions
        if let reason = JSONAccess.nonEmptyString(choice["finish_reason"]) { s.setFinishReason(reason, choice: index) }
    }

    /// The visible text of a `delta` or `message` of a choice other than 0.
    private static func readOtherMessage(_ m: [String: Any], index: Int, into s: inout ExtractionState) {
        if let text = m["content"] as? String {
            s.appendText(text, choice: index)
        } else if let parts = JSONAccess.objects(m["content"]) {
            for part in parts where JSONAccess.string(part["type"]) == "text" {
                if let text = JSONAccess.string(part["text"]) { s.appendText(text, choice: index) }
            }
        }
        if let refusal = JSONAccess.string(m["refusal"]) { s.appendText(refusal, choice: index) }
    }

    /// Reads a `delta` (streamed) or `message` (whole).
    private static func readMessage(_ m: [String: Any], streamed: Bool, into s: inout ExtractionState) {
        if let content = m["content"] {
            if let text = content as? String {
                s.appendText(text)
            } else if let parts = JSONAccess.objects(content) {
                for part in parts where JSONAccess.string(part["type"]) == "text" {
                    if let text = JSONAccess.string(part["text"]) { s.appendText(text) }
                }
            }
        }
        if let refusal = JSONAccess.string(m["refusal"]) { s.appendText(refusal) }
        if let thinking = JSONAccess.string(m["reasoning_content"]) ?? JSONAccess.string(m["reasoning"]) {
            s.appendThinking(thinking)
        }
        if let calls = JSONAccess.objects(m["tool_calls"]) {
            for (position, call) in calls.enumerated() {
                // `function` calls carry `function.arguments`; `custom` tool calls `custom.input` (free text).
                let function = JSONAccess.object(call["function"])
                let custom = JSONAccess.object(call["custom"])
                let id = JSONAccess.string(call["id"])
                let name = JSONAccess.string(function?["name"]) ?? JSONAccess.string(custom?["name"])
                let arguments = argumentsText(function?["arguments"]) ?? JSONAccess.string(custom?["input"])
                let type = JSONAccess.nonEmptyString(call["type"]) ?? ToolCall.functionType
                if streamed {
                    let index = JSONAccess.int(call["index"]) ?? position
                    s.tools.update(key: "\(index)", id: id, name: name, type: type, appendArguments: arguments)
                } else {
                    s.tools.append(id: id, name: name ?? "", arguments: arguments ?? "", type: type)
                }
            }
        }
        if let call = JSONAccess.object(m["function_call"]) {  // deprecated single function call
            let name = JSONAccess.string(call["name"])
            let arguments = argumentsText(call["arguments"])
            if streamed {
                s.tools.update(key: "function_call", name: name, type: ToolCall.functionType, appendArguments: arguments)
            } else {
                s.tools.append(id: nil, name: name ?? "", arguments: arguments ?? "", type: ToolCall.functionType)
            }
        }
    }

    /// Arguments as sent: normally a JSON string; some compatible servers send an object.
    private static func argumentsText(_ value: Any?) -> String? {
        guard let value, !(value is NSNull) else { return nil }
        if let s = value as? String { return s }
        return JSONAccess.jsonText(value)
    }
}
