import Foundation
import LLMTraceModel

/// Who speaks in a conversation.
public enum ChatRole: Sendable, Hashable {
    case system, user, assistant, tool
    case other(String)

    init(_ raw: String) {
        switch raw.lowercased() {
        case "system", "developer": self = .system
        case "user", "human": self = .user
        case "assistant", "model", "ai": self = .assistant
        case "tool", "function", "ipython": self = .tool
        default: self = .other(raw)
        }
    }

    public var title: String {
        switch self {
        case .system: "system"
        case .user: "user"
        case .assistant: "assistant"
        case .tool: "tool"
        case .other(let s): s
        }
    }
}

/// One piece of a message.
public enum ChatBlock: Sendable, Hashable {
    case text(String)
    /// Reasoning the model showed (Anthropic `thinking`, Gemini `thought` parts).
    case thinking(String)
    /// The model asked for a tool: its name and arguments (JSON text).
    case toolCall(name: String, arguments: String, id: String?)
    /// A tool's answer, given back to the model.
    case toolResult(name: String?, content: String, isError: Bool)
    /// An image, audio or file part, described.
    case media(String)
}

/// One message of a conversation.
public struct ChatMessage: Sendable, Hashable {
    public var role: ChatRole
    public var blocks: [ChatBlock]

    public init(role: ChatRole, blocks: [ChatBlock]) {
        self.role = role
        self.blocks = blocks
    }
}
