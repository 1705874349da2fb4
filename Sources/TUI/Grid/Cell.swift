/// One terminal cell.
///
/// `character` is one grapheme cluster (display width 1 or 2), or `""` for the right half of a wide
/// character that starts in the cell to its left. A driver paints a cell with a wide character once,
/// at the left cell, and skips `""` cells.
public struct Cell: Sendable, Hashable {
    public var character: String
    public var style: Style

    public init(_ character: String = " ", style: Style = .plain) {
        self.character = character
        self.style = style
    }

    /// A space with the default style.
    public static let blank = Cell()

    /// Whether this is the right half of a wide character.
    public var isContinuation: Bool { character.isEmpty }
}
