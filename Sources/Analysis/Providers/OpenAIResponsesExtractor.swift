import LLMTraceModel
/// Understands the OpenAI Responses API (`/v1/responses`), streamed (typed `response.*` events) or whole.
///
/// Visible text comes from `output_text` (and `refusal`); reasoning summaries and reasoning text go to
/// thinking; `function_call` items become tool calls (id = `call_id`). The finish reason is the response's
/// `status`. A stream is complete at `response.completed`, `response.incomplete` or `response.failed`.
enum OpenAIResponsesExtractor {
    /// Reads one streamed event.
    static func event(_ o: [String: Any], into s: inout ExtractionState) {
        let type = JSONAccess.string(o["type"]) ?? ""
        switch type {
        case "response.output_text.delta", "response.refusal.delta":
            if let delta = JSONAccess.string(o["delta"]) { s.appendText(delta) }
        case "response.reasoning_summary_text.delta", "response.reasoning_text.delta":
            if let delta = JSONAccess.string(o["delta"]) { s.appendThinking(delta) }
        case "response.output_item.added", "response.output_item.done":
            if let item = JSONAccess.object(o["item"]), JSONAccess.string(item["type"]) == "function_call" {
                let key = itemKey(o, item: item)
                if type == "response.output_item.added" {
                    s.tools.update(key: key, id: JSONAccess.string(item["call_id"]), name: JSONAccess.string(item["name"]))
                    if let arguments = JSONAccess.nonEmptyString(item["arguments"]) {
                        s.tools.setFallbackArguments(key: key, arguments)
                    }
                } else {
                    s.tools.set(
                        key: key, id: JSONAccess.string(item["call_id"]), name: JSONAccess.string(item["name"]),
                        arguments: JSONAccess.string(item["arguments"]))
                }
            }
        case "response.function_call_arguments.delta":
            s.tools.update(key: itemKey(o, item: nil), appendArguments: JSONAccess.string(o["delta"]))
        case "response.function_call_arguments.done":
            s.tools.set(key: itemKey(o, item: nil), arguments: JSONAccess.string(o["arguments"]))
        case "response.created", "response.in_progress", "response.queued":
            if let response = JSONAccess.object(o["response"]) { s.noteModel(response["model"]) }
        case "response.completed", "response.incomplete", "response.failed":
            if let response = JSONAccess.object(o["response"]) {
                readResponse(response, includeOutput: false, into: &s)
            }
            s.complete = true
        case "error":
            if let e = ErrorBodyParser.error(in: o) { s.error = e }
        default:
            break
        }
    }

    /// The hot shape of a text or reasoning delta event (see ``EventTemplate``), else `nil`.
    static func hotShape(_ o: [String: Any]) -> EventTemplate.Shape? {
        guard let text = o["delta"] as? String else { return nil }
        let free: Set<String> = ["sequence_number", "item_id", "obfuscation"]
        switch JSONAccess.string(o["type"]) {
        case "response.output_text.delta", "response.refusal.delta":
            return EventTemplate.Shape(textKey: "delta", text: text, freeKeys: free, effect: .text)
        case "response.reasoning_summary_text.delta", "response.reasoning_text.delta":
            return EventTemplate.Shape(textKey: "delta", text: text, freeKeys: free, effect: .thinking)
        default:
            return nil
        }
    }

    /// Reads a whole (non-streamed) response object.
    static func body(_ o: [String: Any], into s: inout ExtractionState) {
        if let e = ErrorBodyParser.error(in: o) { s.error = e }
        readResponse(o, includeOutput: true, into: &s)
        s.complete = true
    }

    /// Normalised usage from a Responses API `usage` object.
    static func usage(_ u: [String: Any]) -> Usage {
        var usage = Usage()
        usage.inputTokens = JSONAccess.int(u["input_tokens"])
        usage.outputTokens = JSONAccess.int(u["output_tokens"])
        usage.cachedInputTokens = JSONAccess.int(JSONAccess.object(u["input_tokens_details"])?["cached_tokens"])
        usage.reasoningTokens = JSONAccess.int(JSONAccess.object(u["output_tokens_details"])?["reasoning_tokens"])
        usage.totalTokens = JSONAccess.int(u["total_tokens"]) ?? OpenAIChatExtractor.sum(usage.inputTokens, usage.outputTokens)
        return usage
    }

    /// Stream events name a call by `output_index` (always sent) or `item_id`.
    private static func itemKey(_ o: [String: Any], item: [String: Any]?) -> String {
        if let index = JSONAccess.int(o["output_index"]) { return "\(index)" }
        return JSONAccess.string(o["item_id"]) ?? JSONAccess.string(item?["id"]) ?? "?"
    }

    private static func readResponse(_ r: [String: Any], includeOutput: Bool, into s: inout ExtractionState) {
        s.noteModel(r["model"])
        if let u = JSONAccess.object(r["usage"]) { s.usage = usage(u) }
        if let status = JSONAccess.nonEmptyString(r["status"]) { s.finishReason = status }
        if let e = JSONAccess.object(r["error"]) {
            let type = JSONAccess.nonEmptyString(e["code"]) ?? JSONAccess.nonEmptyString(e["type"]) ?? ErrorBodyParser.genericType
            s.error = TraceError(type: type, message: JSONAccess.string(e["message"]) ?? "")
        }
        // A stream's text and calls come from its delta events; a terminal event only fills in what is missing.
        let takeText = includeOutput || s.text.isEmpty
        let takeThinking = includeOutput || s.thinking.isEmpty
        let takeCalls = includeOutput || s.tools.isEmpty
        guard let output = JSONAccess.objects(r["output"]) else { return }
        for (position, item) in output.enumerated() {
            switch JSONAccess.string(item["type"]) {
            case "message":
                guard takeText else { continue }
                for part in JSONAccess.objects(item["content"]) ?? [] {
                    switch JSONAccess.string(part["type"]) {
                    case "output_text": s.appendText(JSONAccess.string(part["text"]) ?? "")
                    case "refusal": s.appendText(JSONAccess.string(part["refusal"]) ?? "")
                    default: break
                    }
                }
            case "reasoning":
                guard takeThinking else { continue }
                for part in (JSONAccess.objects(item["summary"]) ?? []) + (JSONAccess.objects(item["content"]) ?? []) {
                    if let text = JSONAccess.string(part["text"]) { s.appendThinking(text) }
                }
            case "function_call":
                guard takeCalls else { continue }
                s.tools.set(
                    key: "\(position)", id: JSONAccess.string(item["call_id"]), name: JSONAccess.string(item["name"]),
                    arguments: JSONAccess.string(item["arguments"]))
            default:
                break
            }
        }
    }
}
