/// One tool (function) call the model asked for, assembled from however many fragments it was streamed in.
public struct ToolCall: Codable, Sendable, Equatable, Hashable {
    /// The provider's call id, when it sends one.
    public var id: String?
    /// The tool's name.
    public var name: String
    /// The arguments as JSON text, exactly as the model produced them.
    public var arguments: String

    public init(id: String?, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(arguments, forKey: .arguments)
    }
}
