/// The `?` overlay: every key binding, grouped by where it works, generated from the key map.
public enum HelpOverlay {
    /// The help text: a heading per context, then `keys  description` lines.
    public static func lines(for keyMap: KeyMap, theme: Theme) -> [StyledLine] {
        var out: [StyledLine] = []
        let keyWidth = min(24, keyMap.bindings.map { TextMeasure.width($0.keyLabel) }.max() ?? 8)
        for context in KeyContext.allCases {
            let bindings = keyMap.bindings.filter { $0.context == context }
            guard !bindings.isEmpty else { continue }
            if !out.isEmpty { out.append(StyledLine("", theme.overlay)) }
            out.append(StyledLine(context.title, theme.overlayTitle))
            for b in bindings {
                var line = StyledLine("  " + TextMeasure.pad(b.keyLabel, to: keyWidth) + "  ", theme.overlayKey)
                line.append(b.description, theme.overlay)
                out.append(line)
            }
        }
        out.append(StyledLine("", theme.overlay))
        out.append(
            StyledLine("Filters: ~m model ~e env ~p provider ~s 4xx ~err ~stream ~tok>N ~cost>X ~ms>N, with ! & | ( )", theme.overlay.dimmed())
        )
        return out
    }

    public static func render(_ state: AppState, into grid: inout CellGrid, area: Rect) {
        let theme = state.theme
        let width = min(84, area.width - 2)
        let height = area.height - 2
        guard width >= 20, height >= 4 else { return }
        let rect = Rect(x: area.x + (area.width - width) / 2, y: area.y + 1, width: width, height: height)
        grid.fill(rect, style: theme.overlay)
        grid.box(rect, style: theme.overlay.fg(theme.border.fg), title: "Keys — Esc closes", titleStyle: theme.overlayTitle)
        let inner = rect.inset(dx: 1, dy: 1)
        let lines = lines(for: state.keyMap, theme: theme).wrapped(to: inner.width - 2)
        let maxScroll = max(0, lines.count - inner.height)
        let top = min(state.helpScroll, maxScroll)
        for row in 0..<inner.height where top + row < lines.count {
            grid.put(lines[top + row], x: inner.x + 1, y: inner.y + row, maxWidth: inner.width - 2)
        }
        if lines.count > inner.height {
            ScrollBar.render(
                total: lines.count,
                visible: inner.height,
                offset: top,
                into: &grid,
                x: inner.maxX - 1,
                y: inner.y,
                height: inner.height,
                theme: theme
            )
        }
    }
}
