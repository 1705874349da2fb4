/// A width × height grid of ``Cell``s that widgets draw into; a terminal driver paints it.
///
/// Drawing never goes outside the grid, and it keeps wide characters whole: a wide character is its
/// grapheme in one cell followed by a `""` continuation cell; overwriting either half turns the other
/// half into a space, and a wide character that would straddle a right edge is drawn as a space.
public struct CellGrid: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Row-major cells, `width * height` of them.
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, fill: Cell = .blank) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: fill, count: self.width * self.height)
    }

    /// The whole grid as a rectangle.
    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// The cell at column `x`, row `y`. Reading outside the grid gives a blank cell; writing outside is ignored.
    /// Writing through the subscript stores the cell as is (it does not fix up wide characters).
    public subscript(x: Int, y: Int) -> Cell {
        get {
            guard x >= 0, y >= 0, x < width, y < height else { return .blank }
            return cells[y * width + x]
        }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            cells[y * width + x] = newValue
        }
    }

    // MARK: Drawing

    /// Writes `text` starting at column `x` of row `y` and returns the column after the last one written.
    ///
    /// Writes at most `maxWidth` columns (and never past the right edge). Characters take their display
    /// width; zero-width characters on their own are dropped; control characters show as `�` (a tab as
    /// a space). A wide character that does not fit in the last column is written as a space.
    @discardableResult
    public mutating func put(_ text: some StringProtocol, x: Int, y: Int, style: Style = .plain, maxWidth: Int = .max) -> Int {
        guard y >= 0, y < height else { return x }
        let limit = maxWidth == .max ? width : min(width, x + max(0, maxWidth))
        var cx = x
        for ch in text {
            if cx >= limit { break }
            var w: Int
            var str: String
            if let a = ch.asciiValue {
                if a >= 0x20 && a < 0x7F {
                    w = 1
                    str = String(ch)
                } else {
                    w = 1
                    str = a == 0x09 ? " " : "\u{FFFD}"
                }
            } else {
                w = DisplayWidth.of(ch)
                str = String(ch)
                if w == 0 {
                    if let s = ch.unicodeScalars.first, s.properties.generalCategory == .control {
                        w = 1
                        str = "\u{FFFD}"
                    } else {
                        continue
                    }
                }
            }
            if cx + w > limit {
                // A wide character straddling the edge: a space instead, so nothing spills over.
                if cx >= 0 { setCell(cx, y, Cell(" ", style: style), wide: false) }
                cx += 1
                break
            }
            if cx < 0 {
                if cx + w > 0 { setCell(0, y, Cell(" ", style: style), wide: false) }  // the visible right half
                cx += w
                continue
            }
            setCell(cx, y, Cell(str, style: style), wide: w == 2)
            cx += w
        }
        return cx
    }

    /// Writes `text` in exactly `width` columns from `x`: cut with `…` when it is too wide, padded
    /// with spaces in `style` when it is narrower, aligned left or right.
    public mutating func putField(_ text: some StringProtocol, x: Int, y: Int, width: Int, style: Style = .plain, alignRight: Bool = false) {
        guard width > 0 else { return }
        let fitted = TextMeasure.truncate(text, to: width)
        let pad = width - fitted.width
        if alignRight {
            fill(Rect(x: x, y: y, width: pad, height: 1), style: style)
            put(fitted.text, x: x + pad, y: y, style: style, maxWidth: width - pad)
        } else {
            let end = put(fitted.text, x: x, y: y, style: style, maxWidth: width)
            fill(Rect(x: end, y: y, width: x + width - end, height: 1), style: style)
        }
    }

    /// Fills a rectangle (clipped to the grid) with `character` in `style`.
    public mutating func fill(_ rect: Rect, character: String = " ", style: Style = .plain) {
        let x0 = max(0, rect.x)
        let x1 = min(width, rect.maxX)
        let y0 = max(0, rect.y)
        let y1 = min(height, rect.maxY)
        guard x0 < x1, y0 < y1 else { return }
        for y in y0..<y1 {
            for x in x0..<x1 { setCell(x, y, Cell(character, style: style), wide: false) }
        }
    }

    /// Changes the style of the cells in `rect` without touching their characters.
    public mutating func restyle(_ rect: Rect, _ transform: (Style) -> Style) {
        let x0 = max(0, rect.x)
        let x1 = min(width, rect.maxX)
        let y0 = max(0, rect.y)
        let y1 = min(height, rect.maxY)
        guard x0 < x1, y0 < y1 else { return }
        for y in y0..<y1 {
            for x in x0..<x1 { cells[y * width + x].style = transform(cells[y * width + x].style) }
        }
    }

    /// A horizontal line of `character` (default `─`).
    public mutating func horizontalLine(x: Int, y: Int, length: Int, character: String = "─", style: Style = .plain) {
        fill(Rect(x: x, y: y, width: length, height: 1), character: character, style: style)
    }

    /// A vertical line of `character` (default `│`).
    public mutating func verticalLine(x: Int, y: Int, length: Int, character: String = "│", style: Style = .plain) {
        fill(Rect(x: x, y: y, width: 1, height: length), character: character, style: style)
    }

    /// A box of light line-drawing characters around `rect` (its edge cells), with an optional title on
    /// the top edge. The inside is left alone; draw into `rect.inset(dx: 1, dy: 1)`.
    public mutating func box(_ rect: Rect, style: Style = .plain, title: String? = nil, titleStyle: Style? = nil) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        horizontalLine(x: rect.x + 1, y: rect.y, length: rect.width - 2, style: style)
        horizontalLine(x: rect.x + 1, y: rect.maxY - 1, length: rect.width - 2, style: style)
        verticalLine(x: rect.x, y: rect.y + 1, length: rect.height - 2, style: style)
        verticalLine(x: rect.maxX - 1, y: rect.y + 1, length: rect.height - 2, style: style)
        put("┌", x: rect.x, y: rect.y, style: style)
        put("┐", x: rect.maxX - 1, y: rect.y, style: style)
        put("└", x: rect.x, y: rect.maxY - 1, style: style)
        put("┘", x: rect.maxX - 1, y: rect.maxY - 1, style: style)
        if let title, rect.width > 4 {
            let fitted = TextMeasure.truncate(" \(title) ", to: rect.width - 4)
            put(fitted.text, x: rect.x + 2, y: rect.y, style: titleStyle ?? style)
        }
    }

    /// Writes a line of styled spans from `x`, at most `maxWidth` columns; returns the column after it.
    @discardableResult
    public mutating func put(_ line: StyledLine, x: Int, y: Int, maxWidth: Int = .max) -> Int {
        let limit = maxWidth == .max ? Int.max : x + maxWidth
        var cx = x
        for span in line.spans {
            if cx >= limit || cx >= width { break }
            cx = put(span.text, x: cx, y: y, style: span.style, maxWidth: limit == .max ? .max : limit - cx)
        }
        return cx
    }

    /// Stores a cell, keeping wide characters whole.
    private mutating func setCell(_ x: Int, _ y: Int, _ cell: Cell, wide: Bool) {
        let row = y * width
        // Overwriting the right half of a wide character: its left half becomes a space.
        if cells[row + x].character.isEmpty, x > 0 {
            cells[row + x - 1].character = " "
        }
        // Overwriting the left half of a wide character: its right half becomes a space.
        if x + 1 < width, cells[row + x + 1].character.isEmpty, !cells[row + x].character.isEmpty {
            cells[row + x + 1].character = " "
        }
        cells[row + x] = cell
        if wide {
            guard x + 1 < width else {
                cells[row + x].character = " "
                return
            }
            if x + 2 < width, cells[row + x + 2].character.isEmpty {
                cells[row + x + 2].character = " "  // the next cell was a wide character's left half
            }
            cells[row + x + 1] = Cell("", style: cell.style)
        }
    }

    // MARK: Output

    /// The cells that differ from `old`, row by row: what a driver must repaint. When the sizes
    /// differ, every cell. Skip `""` cells when painting (the wide character to their left covers them).
    public func diff(from old: CellGrid) -> [(x: Int, y: Int, cell: Cell)] {
        var out: [(x: Int, y: Int, cell: Cell)] = []
        let sameSize = old.width == width && old.height == height
        for y in 0..<height {
            for x in 0..<width {
                let i = y * width + x
                if !sameSize || old.cells[i] != cells[i] { out.append((x, y, cells[i])) }
            }
        }
        return out
    }

    /// Row `y` as text (continuation cells skipped), trailing spaces kept.
    public func row(_ y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        var s = ""
        for x in 0..<width { s += cells[y * width + x].character }
        return s
    }

    /// The grid as text for tests: rows joined by `\n`, each without trailing spaces.
    public var plainText: String {
        (0..<height).map { y in
            var r = row(y)
            while r.last == " " { r.removeLast() }
            return r
        }.joined(separator: "\n")
    }
}
