import LLMTraceModel

/// Understands Gemini `generateContent` / `streamGenerateContent` responses (`GenerateContentResponse`),
/// whole, as SSE (`alt=sse`) or as a streamed JSON array: every chunk has the same shape.
///
/// Parts with `thought: true` go to thinking; `functionCall` parts become tool calls (args object as JSON
/// text). `usageMetadata` repeats running totals, so the last one wins. A stream is complete once a chunk
/// carries a `finishReason` (or the prompt was blocked).
enum GeminiExtractor {
    /// Reads one chunk (or a whole body).
    static func chunk(_ o: [String: Any], into s: inout ExtractionState) {
        if let e = ErrorBodyParser.error(in: o) { s.error = e }
        s.noteModel(o["modelVersion"])
        if let u = JSONAccess.object(o["usageMetadata"]) { s.usage = usage(u) }
        if let candidates = JSONAccess.objects(o["candidates"]),
            let candidate = candidates.first(where: { (JSONAccess.int($0["index"]) ?? 0) == 0 })
        {
            for part in JSONAccess.objects(JSONAccess.object(candidate["content"])?["parts"]) ?? [] {
                if let text = JSONAccess.string(part["text"]) {
                    if JSONAccess.isTrue(part["thought"]) {
                        s.appendThinking(text)
                    } else {
                        s.appendText(text)
                    }
                }
                if let call = JSONAccess.object(part["functionCall"]) {
                    s.tools.append(
                        id: JSONAccess.string(call["id"]),
                        name: JSONAccess.string(call["name"]) ?? "",
                        arguments: JSONAccess.jsonText(call["args"]),
                        type: ToolCall.functionType
                    )
                }
            }
            if let reason = JSONAccess.nonEmptyString(candidate["finishReason"]) {
                s.finishReason = reason
                s.complete = true
            }
        }
        if let blocked = JSONAccess.nonEmptyString(JSONAccess.object(o["promptFeedback"])?["blockReason"]) {
            if s.finishReason == nil { s.finishReason = blocked }
            s.complete = true
        }
    }

    /// The usage keys ``usage(_:)`` reads.
    static let usageKeys = [
        "promptTokenCount", "toolUsePromptTokenCount", "candidatesTokenCount", "thoughtsTokenCount", "cachedContentTokenCount",
        "totalTokenCount",
    ]

    /// The hot shape of a chunk with one plain text part and no finish reason (see ``EventTemplate``): its
    /// effects are the model, the usage totals and the text. `nil` for any other chunk.
    static func hotShape(_ o: [String: Any]) -> EventTemplate.Shape? {
        guard o["error"] == nil, o["promptFeedback"] == nil, let candidates = o["candidates"] as? [Any], candidates.count == 1,
            let candidate = candidates[0] as? [String: Any], (JSONAccess.int(candidate["index"]) ?? 0) == 0,
            candidate["finishReason"] == nil, let content = candidate["content"] as? [String: Any],
            let parts = content["parts"] as? [Any], parts.count == 1, let part = parts[0] as? [String: Any],
            let text = part["text"] as? String, part["thought"] == nil, part["functionCall"] == nil
        else { return nil }
        var shape = EventTemplate.Shape(textKey: "text", text: text, freeKeys: ["responseId", "createTime"], effect: .text)
        switch o["modelVersion"] {
        case nil: break
        case let model as String: (shape.modelKey, shape.model) = ("modelVersion", model)
        default: return nil
        }
        switch o["usageMetadata"] {
        case nil: break
        case let u as [String: Any]:
            for key in usageKeys {
                guard let value = u[key] else { continue }
                guard let number = JSONAccess.int(value), number >= 0 else { return nil }
                shape.numbers[key] = number
            }
            shape.usage = { numbers in usage { numbers[$0] } }
        default: return nil
        }
        return shape
    }

    /// Normalised usage from `usageMetadata`: output adds `thoughtsTokenCount`; input adds
    /// `toolUsePromptTokenCount` (prompt tokens of tool results), as `totalTokenCount` does.
    static func usage(_ u: [String: Any]) -> Usage {
        usage { JSONAccess.int(u[$0]) }
    }

    /// Normalised usage from `usageMetadata` values looked up by key.
    static func usage(_ value: (String) -> Int?) -> Usage {
        var usage = Usage()
        let prompt = value("promptTokenCount")
        let toolPrompt = value("toolUsePromptTokenCount")
        let candidates = value("candidatesTokenCount")
        let thoughts = value("thoughtsTokenCount")
        usage.inputTokens = prompt.map { $0 + (toolPrompt ?? 0) }
        usage.outputTokens = (candidates == nil && thoughts == nil) ? nil : (candidates ?? 0) + (thoughts ?? 0)
        usage.cachedInputTokens = value("cachedContentTokenCount")
        usage.reasoningTokens = thoughts
        usage.totalTokens = value("totalTokenCount") ?? OpenAIChatExtractor.sum(usage.inputTokens, usage.outputTokens)
        return usage
    }
}
