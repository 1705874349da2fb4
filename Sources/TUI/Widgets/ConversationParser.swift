import Foundation
import LLMTraceModel

/// Reads the conversation out of a request body, whatever the provider's shape: OpenAI chat
/// `messages`, Anthropic `system` + `messages` with content blocks, Gemini `systemInstruction` +
/// `contents`, Ollama `messages` (or `system` + `prompt`), the Responses API's `instructions` + `input`,
/// and legacy `prompt`.
public enum ConversationParser {
    /// The messages of the request in `body` (JSON text); empty when it holds none.
    public static func messages(fromRequestBody body: String) -> [ChatMessage] {
        guard let root = JSONView.parse(body) as? [String: Any] else { return [] }
        return messages(from: root)
    }

    public static func messages(from root: [String: Any]) -> [ChatMessage] {
        var out: [ChatMessage] = []
        // System prompts given beside the messages.
        if let system = root["system"] {
            let blocks = contentBlocks(system)
            if !blocks.isEmpty { out.append(ChatMessage(role: .system, blocks: blocks)) }
        }
        if let instruction = (root["systemInstruction"] ?? root["system_instruction"]) as? [String: Any] {
            let blocks = geminiParts(instruction["parts"])
            if !blocks.isEmpty { out.append(ChatMessage(role: .system, blocks: blocks)) }
        }
        if let instructions = root["instructions"] as? String, !instructions.isEmpty {
            out.append(ChatMessage(role: .system, blocks: [.text(instructions)]))
        }

        if let messages = root["messages"] as? [Any] {
            for case let m as [String: Any] in messages { out.append(contentsOf: chatMessage(m)) }
        } else if let contents = root["contents"] as? [Any] {
            for case let c as [String: Any] in contents {
                let role = ChatRole((c["role"] as? String) ?? "user")
                let blocks = geminiParts(c["parts"])
                let isResponse = blocks.contains { if case .toolResult = $0 { true } else { false } }
                out.append(ChatMessage(role: isResponse ? .tool : role, blocks: blocks))
            }
        } else if let input = root["input"] {
            out.append(contentsOf: responsesInput(input))
        } else if let prompt = root["prompt"] {
            if let p = prompt as? String {
                out.append(ChatMessage(role: .user, blocks: [.text(p)]))
            } else if let ps = prompt as? [Any] {
                for case let p as String in ps { out.append(ChatMessage(role: .user, blocks: [.text(p)])) }
            }
        }
        return out
    }

    /// An OpenAI / Anthropic / Ollama chat message. Anthropic `tool_result` blocks in a user message
    /// come out as tool messages of their own.
    static func chatMessage(_ m: [String: Any]) -> [ChatMessage] {
        let rawRole = (m["role"] as? String) ?? "user"
        var role = ChatRole(rawRole)
        var blocks: [ChatBlock] = []
        if role == .tool {
            let name = (m["name"] as? String) ?? (m["tool_call_id"] as? String)
            let content = plainText(m["content"])
            return [ChatMessage(role: .tool, blocks: [.toolResult(name: name, content: content, isError: false)])]
        }
        blocks = contentBlocks(m["content"] as Any)
        if let thinking = m["thinking"] as? String, !thinking.isEmpty { blocks.insert(.thinking(thinking), at: 0) }
        if let reasoning = m["reasoning_content"] as? String, !reasoning.isEmpty { blocks.insert(.thinking(reasoning), at: 0) }
        if let images = m["images"] as? [Any], !images.isEmpty { blocks.append(.media("\(images.count) image\(images.count == 1 ? "" : "s")")) }
        if let calls = m["tool_calls"] as? [Any] {
            for case let c as [String: Any] in calls {
                let function = (c["function"] as? [String: Any]) ?? c
                let name = (function["name"] as? String) ?? "?"
                blocks.append(.toolCall(name: name, arguments: argumentsText(function["arguments"]), id: c["id"] as? String))
            }
        }
        if let call = m["function_call"] as? [String: Any] {
            blocks.append(.toolCall(name: (call["name"] as? String) ?? "?", arguments: argumentsText(call["arguments"]), id: nil))
        }
        // Anthropic: a user message made only of tool results is the tools answering.
        if role == .user, !blocks.isEmpty, blocks.allSatisfy({ if case .toolResult = $0 { true } else { false } }) {
            role = .tool
        }
        return [ChatMessage(role: role, blocks: blocks)]
    }

    /// Content as a string, a list of content blocks or parts, or one block.
    static func contentBlocks(_ content: Any) -> [ChatBlock] {
        if let s = content as? String { return s.isEmpty ? [] : [.text(s)] }
        if let list = content as? [Any] { return list.flatMap { contentBlocks($0) } }
        guard let block = content as? [String: Any] else { return [] }
        let type = (block["type"] as? String) ?? ""
        switch type {
        case "text", "input_text", "output_text", "":
            if let t = block["text"] as? String { return [.text(t)] }
            if let t = block["content"] as? String { return [.text(t)] }
            return []
        case "thinking", "reasoning":
            if let t = (block["thinking"] ?? block["text"]) as? String { return [.thinking(t)] }
            if let summary = block["summary"] { return [.thinking(plainText(summary))] }
            return []
        case "redacted_thinking":
            return [.thinking("(redacted)")]
        case "tool_use", "server_tool_use", "function_call":
            let name = (block["name"] as? String) ?? "?"
            return [
                .toolCall(
                    name: name,
                    arguments: argumentsText(block["input"] ?? block["arguments"]),
                    id: (block["id"] ?? block["call_id"]) as? String
                )
            ]
        case "tool_result", "function_call_output", "web_search_tool_result":
            let name = (block["tool_use_id"] ?? block["call_id"]) as? String
            return [.toolResult(name: name, content: plainText(block["content"] ?? block["output"]), isError: (block["is_error"] as? Bool) ?? false)]
        case "image", "image_url", "input_image":
            return [.media("image")]
        case "document", "file", "input_file":
            return [.media("file")]
        case "input_audio", "audio":
            return [.media("audio")]
        case "refusal":
            return [.text((block["refusal"] as? String) ?? "(refusal)")]
        default:
            if let t = block["text"] as? String { return [.text(t)] }
            return [.media(type)]
        }
    }

    /// Gemini `parts`.
    static func geminiParts(_ parts: Any?) -> [ChatBlock] {
        guard let list = parts as? [Any] else { return [] }
        var out: [ChatBlock] = []
        for case let p as [String: Any] in list {
            if let t = p["text"] as? String {
                out.append((p["thought"] as? Bool) == true ? .thinking(t) : .text(t))
            } else if let call = p["functionCall"] as? [String: Any] {
                out.append(.toolCall(name: (call["name"] as? String) ?? "?", arguments: argumentsText(call["args"]), id: call["id"] as? String))
            } else if let response = p["functionResponse"] as? [String: Any] {
                out.append(.toolResult(name: response["name"] as? String, content: argumentsText(response["response"]), isError: false))
            } else if let data = (p["inlineData"] ?? p["fileData"]) as? [String: Any] {
                out.append(.media((data["mimeType"] as? String) ?? "file"))
            }
        }
        return out
    }

    /// The Responses API's `input`: a string, or a list of messages and items.
    static func responsesInput(_ input: Any) -> [ChatMessage] {
        if let s = input as? String { return [ChatMessage(role: .user, blocks: [.text(s)])] }
        guard let items = input as? [Any] else { return [] }
        var out: [ChatMessage] = []
        for case let item as [String: Any] in items {
            let type = (item["type"] as? String) ?? "message"
            switch type {
            case "message":
                out.append(ChatMessage(role: ChatRole((item["role"] as? String) ?? "user"), blocks: contentBlocks(item["content"] as Any)))
            case "function_call", "custom_tool_call":
                out.append(ChatMessage(role: .assistant, blocks: contentBlocks(item)))
            case "function_call_output", "custom_tool_call_output":
                out.append(
                    ChatMessage(
                        role: .tool,
                        blocks: contentBlocks(["type": "function_call_output", "call_id": item["call_id"] as Any, "output": item["output"] as Any])
                    )
                )
            case "reasoning":
                out.append(ChatMessage(role: .assistant, blocks: contentBlocks(item)))
            default:
                if item["role"] != nil {
                    out.append(ChatMessage(role: ChatRole((item["role"] as? String) ?? "user"), blocks: contentBlocks(item["content"] as Any)))
                } else {
                    out.append(ChatMessage(role: .other(type), blocks: [.media(type)]))
                }
            }
        }
        return out
    }

    /// Text of a content value (string, blocks, or anything else as compact JSON).
    static func plainText(_ value: Any?) -> String {
        guard let value, !(value is NSNull) else { return "" }
        if let s = value as? String { return s }
        if let list = value as? [Any] {
            let texts = list.compactMap { item -> String? in
                if let s = item as? String { return s }
                if let d = item as? [String: Any] {
                    if let t = d["text"] as? String { return t }
                    return argumentsText(d)
                }
                return nil
            }
            return texts.joined(separator: "\n")
        }
        if let d = value as? [String: Any], let t = d["text"] as? String { return t }
        return argumentsText(value)
    }

    /// Tool arguments as JSON text: strings as they are, objects serialised with sorted keys.
    static func argumentsText(_ value: Any?) -> String {
        guard let value, !(value is NSNull) else { return "" }
        if let s = value as? String { return s }
        if JSONSerialization.isValidJSONObject(value),
            let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
        {
            return String(decoding: data, as: UTF8.self)
        }
        return String(describing: value)
    }
}
