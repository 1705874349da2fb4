/// A rectangle of cells: columns `x ..< x + width`, rows `y ..< y + height`.
public struct Rect: Sendable, Hashable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    /// The rectangle shrunk by `dx` columns on each side and `dy` rows on top and bottom.
    public func inset(dx: Int = 0, dy: Int = 0) -> Rect {
        Rect(x: x + dx, y: y + dy, width: width - 2 * dx, height: height - 2 * dy)
    }

    /// The top `rows` rows (at most all of them) and the rest below.
    public func splitTop(_ rows: Int) -> (top: Rect, rest: Rect) {
        let r = min(max(rows, 0), height)
        return (Rect(x: x, y: y, width: width, height: r), Rect(x: x, y: y + r, width: width, height: height - r))
    }

    /// The bottom `rows` rows (at most all of them) and the rest above.
    public func splitBottom(_ rows: Int) -> (rest: Rect, bottom: Rect) {
        let r = min(max(rows, 0), height)
        return (Rect(x: x, y: y, width: width, height: height - r), Rect(x: x, y: y + height - r, width: width, height: r))
    }

    /// One row of the rectangle (relative to its top).
    public func row(_ i: Int) -> Rect { Rect(x: x, y: y + i, width: width, height: 1) }
}
