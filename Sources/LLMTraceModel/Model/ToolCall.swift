/// One tool (function) call the model asked for, assembled from however many fragments it was streamed in.
public struct ToolCall: Codable, Sendable, Equatable, Hashable {
    /// The provider's call id, when it sends one.
    public var id: String?
    /// The tool's name.
    public var name: String
    /// The arguments as JSON text, exactly as the model produced them.
    public var arguments: String
    /// What kind of call it is: `function` for a tool the client defined (whatever the provider calls it:
    /// OpenAI `function`, Anthropic `tool_use`, Gemini `functionCall`), `custom` for an OpenAI custom tool,
    /// else the provider's own type of a built-in tool it ran itself (Anthropic `server_tool_use`,
    /// `mcp_tool_use`; Responses API `web_search_call`, `file_search_call`, `code_interpreter_call`,
    /// `mcp_call`, …). `nil` in records saved before llmtrace reported it.
    public var type: String?
    /// The result of a built-in tool the provider ran, as JSON text, when the response carried it
    /// (Anthropic `web_search_tool_result` and other `*_tool_result` blocks, the Responses API's `output` or
    /// `outputs` of an `mcp_call` or `code_interpreter_call`); `nil` otherwise.
    public var output: String?

    /// Creates a call.
    public init(id: String?, name: String, arguments: String, type: String? = nil, output: String? = nil) {
        self.id = id
        self.name = name
        self.arguments = arguments
        self.type = type
        self.output = output
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(arguments, forKey: .arguments)
        try c.encode(type, forKey: .type)
        try c.encode(output, forKey: .output)
    }
}

extension ToolCall {
    /// The ``type`` of a call of a tool the client defined, whatever the provider calls it.
    public static let functionType = "function"
}
