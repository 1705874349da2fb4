/// A vertical scroll bar: a track of `│` with a `┃` thumb.
public enum ScrollBar {
    public static func render(total: Int, visible: Int, offset: Int, into grid: inout CellGrid, x: Int, y: Int, height: Int, theme: Theme) {
        guard height > 0, total > visible else { return }
        let thumb = max(1, height * visible / total)
        let maxOffset = max(1, total - visible)
        let start = min(height - thumb, (height - thumb) * offset / maxOffset)
        for r in 0..<height {
            let inThumb = r >= start && r < start + thumb
            grid.put(inThumb ? "┃" : "│", x: x, y: y + r, style: inThumb ? theme.accent : theme.border)
        }
    }
}
