import Foundation

/// What changed in a request since the previous turn of its session: `GET /api/requests/{id}/diff`.
///
/// Messages are compared by content (keys in any order): the messages both requests start with are
/// ``commonMessages``; what follows in this request is ``added`` (the previous answer, tool results,
/// the next user turn); what followed in the previous one and is gone is ``removed`` (a rewritten or
/// compacted history).
public struct TurnDiff: Codable, Sendable, Equatable {
    /// The request diffed.
    public var id: String
    /// The turn before it in its session; `nil` when it is a session's first turn or in no session
    /// (everything then counts as added).
    public var previousId: String?
    public var sessionId: String?
    public var turn: Int?
    /// How many messages both requests start with.
    public var commonMessages: Int
    public var added: [Message]
    public var removed: [Message]
    /// The system prompt, when it changed.
    public var system: Change?
    /// Tools by name: offered now and not before, no longer offered, offered with another definition.
    public var toolsAdded: [String]
    public var toolsRemoved: [String]
    public var toolsChanged: [String]
    /// Every other top-level request field that changed (model, temperature, max tokens, …), by name.
    public var parameters: [Parameter]

    public init(
        id: String,
        previousId: String? = nil,
        sessionId: String? = nil,
        turn: Int? = nil,
        commonMessages: Int = 0,
        added: [Message] = [],
        removed: [Message] = [],
        system: Change? = nil,
        toolsAdded: [String] = [],
        toolsRemoved: [String] = [],
        toolsChanged: [String] = [],
        parameters: [Parameter] = []
    ) {
        self.id = id
        self.previousId = previousId
        self.sessionId = sessionId
        self.turn = turn
        self.commonMessages = commonMessages
        self.added = added
        self.removed = removed
        self.system = system
        self.toolsAdded = toolsAdded
        self.toolsRemoved = toolsRemoved
        self.toolsChanged = toolsChanged
        self.parameters = parameters
    }

    /// One message, as a reader sees it.
    public struct Message: Codable, Sendable, Equatable {
        /// Its position in its request's messages, from 0.
        public var index: Int
        /// `system`, `user`, `assistant`, `tool`, `model`, … as the request said.
        public var role: String
        /// Its text; tool calls as `→ name(arguments)`, tool results as `← result`, other parts as JSON;
        /// cut at ``TurnDiff/maxMessageText`` characters.
        public var text: String

        public init(index: Int, role: String, text: String) {
            self.index = index
            self.role = role
            self.text = text
        }
    }

    /// The system prompt before and after: its text (content blocks as JSON; `null` when absent).
    public struct Change: Codable, Sendable, Equatable {
        public var before: String
        public var after: String

        public init(before: String, after: String) {
            self.before = before
            self.after = after
        }
    }

    /// A changed top-level request field, before and after as JSON text (`null` when absent).
    public struct Parameter: Codable, Sendable, Equatable {
        public var name: String
        public var before: String
        public var after: String

        public init(name: String, before: String, after: String) {
            self.name = name
            self.before = before
            self.after = after
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(previousId, forKey: .previousId)
        try c.encode(sessionId, forKey: .sessionId)
        try c.encode(turn, forKey: .turn)
        try c.encode(commonMessages, forKey: .commonMessages)
        try c.encode(added, forKey: .added)
        try c.encode(removed, forKey: .removed)
        try c.encode(system, forKey: .system)
        try c.encode(toolsAdded, forKey: .toolsAdded)
        try c.encode(toolsRemoved, forKey: .toolsRemoved)
        try c.encode(toolsChanged, forKey: .toolsChanged)
        try c.encode(parameters, forKey: .parameters)
    }

    /// The longest message text a diff carries.
    public static let maxMessageText = 4000

    /// Whether nothing changed but messages being appended.
    public var onlyAppended: Bool {
        removed.isEmpty && system == nil && toolsAdded.isEmpty && toolsRemoved.isEmpty && toolsChanged.isEmpty && parameters.isEmpty
    }
}
