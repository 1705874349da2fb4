import LLMTraceModel

/// Understands Anthropic's Messages API (`/v1/messages`), streamed (`message_start` … `message_stop`) or whole.
///
/// `text` blocks are visible text; `thinking` blocks go to thinking; `tool_use` blocks become tool calls of
/// type `function`, and the tools Anthropic runs itself (`server_tool_use`: web search, web fetch, code
/// execution; `mcp_tool_use`) tool calls of their own type, their arguments joined from `input_json_delta`
/// fragments. A `*_tool_result` block (`web_search_tool_result`, `mcp_tool_result`, …) becomes the
/// `output` of the call it answers. Usage: `message_start` carries the input side,
/// `message_delta` usage is cumulative, so each field's latest value wins.
enum AnthropicExtractor {
    /// Anthropic's usage fields as last reported.
    struct UsageParts: Sendable, Equatable {
        var input: Int?
        var cacheRead: Int?
        var cacheCreation: Int?
        var output: Int?

        /// Takes every field the object carries (later reports are cumulative).
        mutating func merge(_ u: [String: Any]) {
            if let v = JSONAccess.int(u["input_tokens"]) { input = v }
            if let v = JSONAccess.int(u["cache_read_input_tokens"]) { cacheRead = v }
            if let v = JSONAccess.int(u["cache_creation_input_tokens"]) { cacheCreation = v }
            if let v = JSONAccess.int(u["output_tokens"]) { output = v }
        }

        /// Normalised: input counts cache reads and writes too.
        var usage: Usage {
            var usage = Usage()
            usage.inputTokens = input.map { $0 + (cacheRead ?? 0) + (cacheCreation ?? 0) }
            usage.outputTokens = output
            usage.cachedInputTokens = cacheRead
            usage.cacheCreationTokens = cacheCreation
            usage.totalTokens = OpenAIChatExtractor.sum(usage.inputTokens, usage.outputTokens)
            return usage
        }
    }

    /// Reads one streamed event.
    static func event(_ o: [String: Any], into s: inout ExtractionState) {
        switch JSONAccess.string(o["type"]) {
        case "content_block_delta":
            guard let delta = JSONAccess.object(o["delta"]) else { return }
            switch JSONAccess.string(delta["type"]) {
            case "text_delta":
                s.appendText(JSONAccess.string(delta["text"]) ?? "")
            case "thinking_delta":
                s.appendThinking(JSONAccess.string(delta["thinking"]) ?? "")
            case "input_json_delta":
                s.tools.update(key: blockKey(o), appendArguments: JSONAccess.string(delta["partial_json"]))
            default:
                break
            }
        case "content_block_start":
            guard let block = JSONAccess.object(o["content_block"]) else { return }
            switch JSONAccess.string(block["type"]) {
            case "text":
                s.appendText(JSONAccess.string(block["text"]) ?? "")
            case "thinking":
                s.appendThinking(JSONAccess.string(block["thinking"]) ?? "")
            case let type? where callTypes.contains(type):
                let key = blockKey(o)
                s.tools.update(
                    key: key,
                    id: JSONAccess.string(block["id"]),
                    name: JSONAccess.string(block["name"]),
                    type: callType(type)
                )
                s.tools.setFallbackArguments(key: key, JSONAccess.jsonText(block["input"]))
            default:
                readToolResult(block, into: &s)
            }
        case "message_start":
            guard let message = JSONAccess.object(o["message"]) else { return }
            s.noteModel(message["model"])
            if let u = JSONAccess.object(message["usage"]) { s.anthropicUsage.merge(u) }
        case "message_delta":
            if let reason = JSONAccess.nonEmptyString(JSONAccess.object(o["delta"])?["stop_reason"]) { s.finishReason = reason }
            if let u = JSONAccess.object(o["usage"]) { s.anthropicUsage.merge(u) }
        case "message_stop":
            s.complete = true
        case "error":
            if let e = ErrorBodyParser.error(in: o) { s.error = e }
        default:
            break
        }
    }

    /// The hot shape of a `text_delta` or `thinking_delta` event (see ``EventTemplate``), else `nil`.
    static func hotShape(_ o: [String: Any]) -> EventTemplate.Shape? {
        guard JSONAccess.string(o["type"]) == "content_block_delta", let delta = JSONAccess.object(o["delta"]) else { return nil }
        switch JSONAccess.string(delta["type"]) {
        case "text_delta":
            guard let text = delta["text"] as? String else { return nil }
            return EventTemplate.Shape(textKey: "text", text: text, effect: .text)
        case "thinking_delta":
            guard let text = delta["thinking"] as? String else { return nil }
            return EventTemplate.Shape(textKey: "thinking", text: text, effect: .thinking)
        default:
            return nil
        }
    }

    /// Reads a whole (non-streamed) message or error body.
    static func body(_ o: [String: Any], into s: inout ExtractionState) {
        if let e = ErrorBodyParser.error(in: o) { s.error = e }
        s.noteModel(o["model"])
        if let u = JSONAccess.object(o["usage"]) { s.anthropicUsage.merge(u) }
        if let reason = JSONAccess.nonEmptyString(o["stop_reason"]) { s.finishReason = reason }
        for block in JSONAccess.objects(o["content"]) ?? [] {
            switch JSONAccess.string(block["type"]) {
            case "text":
                s.appendText(JSONAccess.string(block["text"]) ?? "")
            case "thinking":
                s.appendThinking(JSONAccess.string(block["thinking"]) ?? "")
            case let type? where callTypes.contains(type):
                s.tools.append(
                    id: JSONAccess.string(block["id"]),
                    name: JSONAccess.string(block["name"]) ?? "",
                    arguments: JSONAccess.jsonText(block["input"]),
                    type: callType(type)
                )
            default:
                readToolResult(block, into: &s)
            }
        }
        s.complete = true
    }

    /// Content blocks that are tool calls: the client's tools (`tool_use`) and those Anthropic runs itself.
    private static let callTypes: Set<String> = ["tool_use", "server_tool_use", "mcp_tool_use"]

    /// A call's ``ToolCall/type``: `function` for the client's own tools, else the block's type.
    private static func callType(_ blockType: String) -> String {
        blockType == "tool_use" ? ToolCall.functionType : blockType
    }

    /// Takes a built-in tool's result block (`web_search_tool_result`, `web_fetch_tool_result`,
    /// `code_execution_tool_result`, `mcp_tool_result`, …) as the output of the call it answers.
    private static func readToolResult(_ block: [String: Any], into s: inout ExtractionState) {
        guard let type = JSONAccess.string(block["type"]), type.hasSuffix("_tool_result"),
            let id = JSONAccess.nonEmptyString(block["tool_use_id"])
        else { return }
        s.tools.setOutput(JSONAccess.jsonText(block["content"]), forID: id)
    }

    private static func blockKey(_ o: [String: Any]) -> String {
        "\(JSONAccess.int(o["index"]) ?? 0)"
    }
}
