/// A row of tab titles with the active one highlighted; `extra` text goes at the right end.
public enum TabsBar {
    public static func render(
        titles: [String],
        active: Int,
        extra: StyledLine? = nil,
        focused: Bool,
        into grid: inout CellGrid,
        rect: Rect,
        theme: Theme
    ) {
        guard !rect.isEmpty else { return }
        grid.fill(rect.row(0), style: theme.tabBar)
        var x = rect.x
        for (i, title) in titles.enumerated() {
            let label = " \(title) "
            var style = i == active ? theme.tabActive : theme.tabInactive
            if i == active, !focused { style = style.dimmed() }
            x = grid.put(label, x: x, y: rect.y, style: style, maxWidth: rect.maxX - x)
            if x < rect.maxX { x = grid.put(" ", x: x, y: rect.y, style: theme.tabBar, maxWidth: rect.maxX - x) }
            if x >= rect.maxX { break }
        }
        if let extra {
            let w = extra.width
            let start = rect.maxX - w - 1
            if start > x { grid.put(extra, x: start, y: rect.y, maxWidth: w) }
        }
    }
}
