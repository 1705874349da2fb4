import Foundation

/// The conversation a chat request carries, as session grouping sees it: its system prompt and its
/// messages, each reduced to a hash of its content (keys in any order, numbers by value), and what each
/// assistant message said (its text and the ids of the tool calls it made).
///
/// Read from OpenAI chat (`messages`, the system prompt a message), Anthropic (`system` + `messages`),
/// Gemini (`systemInstruction` + `contents`), the Responses API (`instructions` + an `input` list) and
/// Ollama (`messages`). A request with none of these (embeddings, models, a body that is not JSON or was
/// truncated) has no conversation.
public struct Conversation: Sendable, Equatable {
    /// `prefixHashes[k]` identifies the system prompt and the first `k + 1` messages, in `env`:
    /// two requests whose first `k + 1` messages are equal share it.
    public let prefixHashes: [Int]
    /// For each message, what it says when it is the assistant's (`nil` for other roles).
    public let replies: [Reply?]

    /// What an assistant message said: how a later request's copy of it is matched to the answer it was.
    public struct Reply: Sendable, Equatable {
        /// Its visible text, trimmed; empty when it had none.
        public var text: String
        /// The ids of the tool calls it made.
        public var toolCallIDs: [String]

        public init(text: String, toolCallIDs: [String]) {
            self.text = text
            self.toolCallIDs = toolCallIDs
        }
    }

    /// The number of messages.
    public var count: Int { prefixHashes.count }

    /// Reads `body`; `nil` when it holds no conversation.
    public init?(env: String, body: [UInt8]) {
        guard !body.isEmpty, let top = JSONAccess.object(JSONAccess.parse(body)), let messages = Self.messages(in: top), !messages.isEmpty
        else { return nil }
        var hasher = Hasher()
        hasher.combine(env)
        Self.feed(Self.system(in: top) ?? NSNull(), into: &hasher)
        var hashes: [Int] = []
        var replies: [Reply?] = []
        hashes.reserveCapacity(messages.count)
        replies.reserveCapacity(messages.count)
        for message in messages {
            Self.feed(message, into: &hasher)
            // Each prefix's hash finishes a copy: the running hasher goes on to the next message.
            let prefix = hasher
            hashes.append(prefix.finalize())
            replies.append(Self.reply(message))
        }
        prefixHashes = hashes
        self.replies = replies
    }

    /// The request's message list: `messages`, Gemini's `contents` or the Responses API's `input` list.
    static func messages(in top: [String: Any]) -> [Any]? {
        messageKeys.lazy.compactMap { top[$0] as? [Any] }.first
    }

    /// The keys a message list comes in, by API.
    static let messageKeys = ["messages", "contents", "input"]

    /// The keys a system prompt comes in, by API.
    static let systemKeys = ["system", "systemInstruction", "system_instruction", "instructions"]

    /// The request's system prompt outside its messages, when it has one.
    static func system(in top: [String: Any]) -> Any? {
        systemKeys.lazy.compactMap { top[$0] }.first
    }

    /// A hash of `value`'s content (``feed(_:into:)``).
    static func contentHash(_ value: Any) -> Int {
        var hasher = Hasher()
        feed(value, into: &hasher)
        return hasher.finalize()
    }

    /// What `message` says when the assistant (or Gemini's `model`) said it.
    static func reply(_ message: Any) -> Reply? {
        guard let m = message as? [String: Any], let role = m["role"] as? String, role == "assistant" || role == "model" else { return nil }
        var texts: [String] = []
        var ids: [String] = []
        func collect(_ part: Any) {
            guard let p = part as? [String: Any] else {
                if let s = part as? String { texts.append(s) }
                return
            }
            if let t = p["text"] as? String, (p["type"] as? String).map({ $0 == "text" || $0 == "output_text" }) ?? true { texts.append(t) }
            // Anthropic's tool_use block, the Responses API's function_call item.
            if let type = p["type"] as? String, type == "tool_use" || type == "function_call",
                let id = (p["id"] as? String) ?? (p["call_id"] as? String)
            {
                ids.append(id)
            }
        }
        if let content = m["content"] as? String {
            texts.append(content)
        } else if let parts = (m["content"] as? [Any]) ?? (m["parts"] as? [Any]) {
            parts.forEach(collect)
        }
        // OpenAI's tool_calls.
        for call in m["tool_calls"] as? [Any] ?? [] {
            if let id = (call as? [String: Any])?["id"] as? String { ids.append(id) }
        }
        return Reply(text: texts.joined().trimmingCharacters(in: .whitespacesAndNewlines), toolCallIDs: ids)
    }

    /// Feeds a JSON value's content: object keys in sorted order, so equal objects hash alike however
    /// their keys were written; a tag before each kind, so `"1"` and `1` differ.
    static func feed(_ value: Any, into hasher: inout Hasher) {
        switch value {
        case let s as String:
            hasher.combine(1 as UInt8)
            hasher.combine(s)
        case let o as [String: Any]:
            hasher.combine(2 as UInt8)
            hasher.combine(o.count)
            for key in o.keys.sorted() {
                hasher.combine(key)
                if let v = o[key] { feed(v, into: &hasher) }
            }
        case let a as [Any]:
            hasher.combine(3 as UInt8)
            hasher.combine(a.count)
            for v in a { feed(v, into: &hasher) }
        case let n as NSNumber:
            hasher.combine(4 as UInt8)
            hasher.combine(n.doubleValue)
        default:
            hasher.combine(5 as UInt8)
        }
    }
}
