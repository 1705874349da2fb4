import LLMTraceModel

/// The `/` filter: what is being typed, whether it parses, and the filter in force.
///
/// While typing, every valid text is applied at once; an invalid one leaves the last valid filter in
/// force (the list is never emptied by a typo) and ``error`` says what is wrong and where.
public struct FilterState: Sendable, Equatable {
    /// Whether the filter input has the keyboard.
    public var editing = false
    /// The text in the input.
    public var draft = ""
    /// Cursor position in ``draft``, in Characters.
    public var cursor = 0
    /// Why ``draft`` does not parse; `nil` when it does.
    public var error: FilterError?
    /// The filter in force, as typed (the last valid text).
    public var appliedText = ""
    /// The parsed filter in force.
    public var expression: FilterExpression = .all

    public init() {}

    /// Whether a filter other than "everything" is in force.
    public var isActive: Bool { expression != .all }
}
