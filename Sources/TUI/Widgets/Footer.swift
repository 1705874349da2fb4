/// The bottom line: the keys that work where you are, generated from the key map.
public enum Footer {
    public static func render(_ state: AppState, into grid: inout CellGrid, rect: Rect) {
        guard !rect.isEmpty else { return }
        let theme = state.theme
        grid.fill(rect, style: theme.footerText)
        let entries = state.keyMap.footerEntries(in: state.activeContexts)
        func width(_ e: (keys: String, text: String, command: Command)) -> Int {
            TextMeasure.width(e.keys) + TextMeasure.width(e.text) + 3
        }
        // Help and quit always show, at the right end; the rest fill from the left while they fit.
        let pinned = entries.filter { $0.command == .showHelp || $0.command == .quit }
        let rest = entries.filter { $0.command != .showHelp && $0.command != .quit }
        let pinnedWidth = pinned.reduce(0) { $0 + width($1) }
        var x = rect.x
        let limit = rect.maxX - pinnedWidth
        for entry in rest {
            if x + width(entry) > limit { break }
            x = grid.put(entry.keys, x: x, y: rect.y, style: theme.footerKey)
            x = grid.put(" " + entry.text + "  ", x: x, y: rect.y, style: theme.footerText)
        }
        x = max(x, limit)
        for entry in pinned {
            x = grid.put(entry.keys, x: x, y: rect.y, style: theme.footerKey, maxWidth: rect.maxX - x)
            x = grid.put(" " + entry.text + "  ", x: x, y: rect.y, style: theme.footerText, maxWidth: rect.maxX - x)
        }
    }
}
