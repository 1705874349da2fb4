import LLMTraceModel

/// Understands the OpenAI Responses API (`/v1/responses`), streamed (typed `response.*` events) or whole.
///
/// Visible text comes from `output_text` (and `refusal`); reasoning summaries and reasoning text go to
/// thinking; `function_call` items become tool calls of type `function` (id = `call_id`), `custom_tool_call`
/// items of type `custom`, and the built-in tools' items (`web_search_call`, `file_search_call`,
/// `code_interpreter_call`, `mcp_call`, `computer_call`, `image_generation_call`, … every `*_call`) tool calls
/// of their own type (see ``builtInCall(_:type:)``). The finish reason is the response's
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
            guard let item = JSONAccess.object(o["item"]), let call = toolCall(item) else { return }
            let key = itemKey(o, item: item)
            if type == "response.output_item.added" {
                s.tools.update(key: key, id: call.id, name: call.name, type: call.type)
                if let arguments = call.arguments, !arguments.isEmpty {
                    s.tools.setFallbackArguments(key: key, arguments)
                }
            } else {
                s.tools.set(key: key, id: call.id, name: call.name, arguments: call.arguments, type: call.type, output: call.output)
            }
        case "response.function_call_arguments.delta", "response.custom_tool_call_input.delta", "response.mcp_call_arguments.delta":
            s.tools.update(key: itemKey(o, item: nil), appendArguments: JSONAccess.string(o["delta"]))
        case "response.function_call_arguments.done", "response.mcp_call_arguments.done":
            s.tools.set(key: itemKey(o, item: nil), arguments: JSONAccess.string(o["arguments"]))
        case "response.custom_tool_call_input.done":
            s.tools.set(key: itemKey(o, item: nil), arguments: JSONAccess.string(o["input"]))
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
            default:
                guard takeCalls, let call = toolCall(item) else { continue }
                s.tools.set(
                    key: "\(position)",
                    id: call.id,
                    name: call.name,
                    arguments: call.arguments,
                    type: call.type,
                    output: call.output
                )
            }
        }
    }

    /// What an output item says about a tool call, or `nil` when it is not one.
    private static func toolCall(_ item: [String: Any]) -> (id: String?, name: String?, arguments: String?, type: String, output: String?)? {
        switch JSONAccess.string(item["type"]) {
        case "function_call":
            return (
                JSONAccess.string(item["call_id"]), JSONAccess.string(item["name"]), JSONAccess.string(item["arguments"]),
                ToolCall.functionType, nil
            )
        case "custom_tool_call":
            return (JSONAccess.string(item["call_id"]), JSONAccess.string(item["name"]), JSONAccess.string(item["input"]), "custom", nil)
        case let type? where type.hasSuffix("_call"):
            return builtInCall(item, type: type)
        default:
            return nil
        }
    }

    /// Keys of a built-in call item that are bookkeeping or results rather than what the model asked for.
    private static let notArguments: Set<String> = [
        "id", "type", "status", "call_id", "name", "server_label", "output", "outputs", "results", "result", "error",
    ]

    /// A built-in tool's call item (`web_search_call`, `file_search_call`, `code_interpreter_call`, `mcp_call`,
    /// `computer_call`, `image_generation_call`, `local_shell_call`, …): id = `call_id`, else the item's `id`;
    /// name = the item's `name` (an MCP tool), else the type without `_call` (`web_search`); arguments = the
    /// item's `arguments` text (MCP), else the rest of the item as JSON (`{"action":{…}}`, `{"queries":[…]}`,
    /// `{"code":"…","container_id":"…"}`); output = `output` (MCP), `outputs` (code interpreter) or
    /// `results` (file search) when present. An image's base64 `result` is left out.
    private static func builtInCall(
        _ item: [String: Any],
        type: String
    ) -> (id: String?, name: String?, arguments: String?, type: String, output: String?) {
        let id = JSONAccess.nonEmptyString(item["call_id"]) ?? JSONAccess.nonEmptyString(item["id"])
        let name = JSONAccess.nonEmptyString(item["name"]) ?? String(type.dropLast("_call".count))
        let arguments = JSONAccess.string(item["arguments"]) ?? JSONAccess.jsonText(item.filter { !notArguments.contains($0.key) })
        var output: String?
        for key in ["output", "outputs", "results"] {
            guard let value = item[key], !OpenAIChatExtractor.isNull(value) else { continue }
            output = JSONAccess.string(value) ?? JSONAccess.jsonText(value)
            break
        }
        return (id, name, arguments, type, output)
    }
}
