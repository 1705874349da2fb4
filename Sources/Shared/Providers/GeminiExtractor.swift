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
                        id: JSONAccess.string(call["id"]), name: JSONAccess.string(call["name"]) ?? "",
                        arguments: JSONAccess.jsonText(call["args"]))
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

    /// Normalised usage from `usageMetadata`: output adds `thoughtsTokenCount`; input adds
    /// `toolUsePromptTokenCount` (prompt tokens of tool results), as `totalTokenCount` does.
    static func usage(_ u: [String: Any]) -> Usage {
        var usage = Usage()
        let prompt = JSONAccess.int(u["promptTokenCount"])
        let toolPrompt = JSONAccess.int(u["toolUsePromptTokenCount"])
        let candidates = JSONAccess.int(u["candidatesTokenCount"])
        let thoughts = JSONAccess.int(u["thoughtsTokenCount"])
        usage.inputTokens = prompt.map { $0 + (toolPrompt ?? 0) }
        usage.outputTokens = (candidates == nil && thoughts == nil) ? nil : (candidates ?? 0) + (thoughts ?? 0)
        usage.cachedInputTokens = JSONAccess.int(u["cachedContentTokenCount"])
        usage.reasoningTokens = thoughts
        usage.totalTokens = JSONAccess.int(u["totalTokenCount"]) ?? OpenAIChatExtractor.sum(usage.inputTokens, usage.outputTokens)
        return usage
    }
}
