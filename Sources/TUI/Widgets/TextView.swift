/// A scrolling view of styled lines, with a scroll bar in its last column when the lines do not fit.
public enum TextView {
    /// Draws `lines[scroll...]` into `rect` (already wrapped to `rect.width - 2`: one column of margin
    /// on the left, the scroll bar on the right). `scroll` is clamped to the content.
    public static func render(_ lines: [StyledLine], scroll: Int, into grid: inout CellGrid, rect: Rect, theme: Theme) {
        guard !rect.isEmpty else { return }
        grid.fill(rect)
        let textWidth = max(1, rect.width - 2)
        let maxScroll = max(0, lines.count - rect.height)
        let top = min(max(0, scroll), maxScroll)
        for row in 0..<rect.height {
            let i = top + row
            guard i < lines.count else { break }
            grid.put(lines[i], x: rect.x + 1, y: rect.y + row, maxWidth: textWidth)
        }
        if lines.count > rect.height, rect.width >= 3 {
            ScrollBar.render(
                total: lines.count,
                visible: rect.height,
                offset: top,
                into: &grid,
                x: rect.maxX - 1,
                y: rect.y,
                height: rect.height,
                theme: theme
            )
        }
    }
}
