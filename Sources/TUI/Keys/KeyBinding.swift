/// One line of the key map: keys, what they do, where, and how help and the footer show them.
public struct KeyBinding: Sendable, Hashable {
    public var keys: [Key]
    public var command: Command
    public var description: String
    public var context: KeyContext
    /// Short text for the footer; `nil` keeps the binding out of the footer (it still shows in help).
    public var footer: String?

    public init(_ keys: [Key], _ command: Command, _ description: String, _ context: KeyContext, footer: String? = nil) {
        self.keys = keys
        self.command = command
        self.description = description
        self.context = context
        self.footer = footer
    }

    /// The keys as help writes them: `j/↓`.
    public var keyLabel: String { keys.map(\.label).joined(separator: "/") }
}
