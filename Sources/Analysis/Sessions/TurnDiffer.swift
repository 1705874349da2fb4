import Foundation
import LLMTraceModel

/// Works out a ``TurnDiff``: what a request changed since the previous turn's request.
public enum TurnDiffer {
    /// The diff of request body `current` (of record `id`) against `previous` (of record `previousId`),
    /// or against nothing when there is no previous turn. Bodies that are not JSON objects diff as empty.
    public static func diff(id: String, current: [UInt8], previousId: String?, previous: [UInt8]?) -> TurnDiff {
        let now = JSONAccess.object(JSONAccess.parse(current)) ?? [:]
        let before = previous.flatMap { JSONAccess.object(JSONAccess.parse($0)) } ?? [:]
        var diff = TurnDiff(id: id, previousId: previousId)

        let nowMessages = Conversation.messages(in: now) ?? []
        let beforeMessages = Conversation.messages(in: before) ?? []
        var common = 0
        while common < nowMessages.count, common < beforeMessages.count,
            Conversation.contentHash(nowMessages[common]) == Conversation.contentHash(beforeMessages[common])
        {
            common += 1
        }
        diff.commonMessages = common
        diff.added = nowMessages[common...].enumerated().map { message(common + $0.offset, $0.element) }
        diff.removed = beforeMessages[common...].enumerated().map { message(common + $0.offset, $0.element) }

        if previous != nil {
            let (s0, s1) = (Conversation.system(in: before), Conversation.system(in: now))
            if !same(s0, s1) { diff.system = TurnDiff.Change(before: text(s0), after: text(s1)) }
            let (t0, t1) = (tools(before), tools(now))
            diff.toolsAdded = t1.keys.filter { t0[$0] == nil }.sorted()
            diff.toolsRemoved = t0.keys.filter { t1[$0] == nil }.sorted()
            diff.toolsChanged = t1.keys.filter { name in t0[name].map { $0 != t1[name] } ?? false }.sorted()
            let skipped = Set(Conversation.systemKeys + Conversation.messageKeys + ["tools"])
            let names = Set(now.keys).union(before.keys).subtracting(skipped).sorted()
            diff.parameters = names.compactMap { name in
                same(before[name], now[name]) ? nil : TurnDiff.Parameter(name: name, before: json(before[name]), after: json(now[name]))
            }
        }
        return diff
    }

    private static func same(_ a: Any?, _ b: Any?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let a?, let b?): return Conversation.contentHash(a) == Conversation.contentHash(b)
        default: return false
        }
    }

    /// The request's tools by name, each as a hash of its definition: OpenAI's `{type, function: {name}}`,
    /// Anthropic's and the Responses API's `{name}`, Gemini's `{functionDeclarations: [{name}]}`.
    static func tools(_ top: [String: Any]) -> [String: Int] {
        var out: [String: Int] = [:]
        for tool in top["tools"] as? [Any] ?? [] {
            guard let t = tool as? [String: Any] else { continue }
            if let declarations = t["functionDeclarations"] as? [Any] ?? t["function_declarations"] as? [Any] {
                for d in declarations {
                    if let name = (d as? [String: Any])?["name"] as? String { out[name] = Conversation.contentHash(d) }
                }
            } else if let name = (t["function"] as? [String: Any])?["name"] as? String ?? t["name"] as? String ?? t["type"] as? String {
                out[name] = Conversation.contentHash(t)
            }
        }
        return out
    }

    /// A message as a reader sees it: its role and its parts as text.
    static func message(_ index: Int, _ value: Any) -> TurnDiff.Message {
        guard let m = value as? [String: Any] else { return TurnDiff.Message(index: index, role: "", text: cut(json(value))) }
        let role = m["role"] as? String ?? (m["type"] as? String) ?? ""
        var lines: [String] = []
        if let content = m["content"] as? String {
            lines.append(content)
        } else if let parts = (m["content"] as? [Any]) ?? (m["parts"] as? [Any]) {
            lines += parts.map(part)
        } else if let content = m["content"], !(content is NSNull) {
            lines.append(json(content))
        }
        for call in m["tool_calls"] as? [Any] ?? [] {
            let f = (call as? [String: Any])?["function"] as? [String: Any]
            lines.append("→ \(f?["name"] as? String ?? "?")(\(f?["arguments"] as? String ?? ""))")
        }
        // The Responses API's items: a function call, its output.
        if m["type"] as? String == "function_call" {
            lines.append("→ \(m["name"] as? String ?? "?")(\(m["arguments"] as? String ?? ""))")
        } else if m["type"] as? String == "function_call_output" {
            lines.append("← " + (m["output"] as? String ?? json(m["output"])))
        }
        return TurnDiff.Message(index: index, role: role, text: cut(lines.joined(separator: "\n")))
    }

    /// One content part as text: text as itself, tool calls and results marked with arrows.
    private static func part(_ value: Any) -> String {
        if let s = value as? String { return s }
        guard let p = value as? [String: Any] else { return json(value) }
        if let text = p["text"] as? String { return text }
        switch p["type"] as? String {
        case "tool_use":
            return "→ \(p["name"] as? String ?? "?")(\(json(p["input"])))"
        case "tool_result":
            if let s = p["content"] as? String { return "← " + s }
            return "← " + ((p["content"] as? [Any])?.map(part).joined(separator: "\n") ?? json(p["content"]))
        default:
            if let call = p["functionCall"] as? [String: Any] {
                return "→ \(call["name"] as? String ?? "?")(\(json(call["args"])))"
            }
            if let response = p["functionResponse"] as? [String: Any] {
                return "← \(response["name"] as? String ?? "?"): \(json(response["response"]))"
            }
            return json(value)
        }
    }

    private static func cut(_ s: String) -> String {
        s.count > TurnDiff.maxMessageText ? String(s.prefix(TurnDiff.maxMessageText)) + "…" : s
    }

    /// `value` as compact JSON text with sorted keys; `null` for nothing.
    static func json(_ value: Any?) -> String {
        guard let value, !(value is NSNull) else { return "null" }
        guard JSONSerialization.isValidJSONObject([value]),
            let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        else { return "\(value)" }
        return String(decoding: data, as: UTF8.self)
    }

    /// A system prompt as text: a string as it is, anything else (content blocks) as JSON.
    static func text(_ value: Any?) -> String {
        (value as? String) ?? json(value)
    }
}
