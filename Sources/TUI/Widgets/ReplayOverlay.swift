import Client
import LLMTraceModel

/// A replay's result: the original and the new answer side by side (as `llmtrace replay` prints them).
public enum ReplayOverlay {
    public static func render(_ outcome: Replayer.Outcome, state: AppState, into grid: inout CellGrid, area: Rect) {
        let theme = state.theme
        let width = area.width - 2
        let height = area.height - 2
        guard width >= 30, height >= 4 else { return }
        let rect = Rect(x: area.x + 1, y: area.y + 1, width: width, height: height)
        grid.fill(rect, style: theme.overlay)
        grid.box(rect, style: theme.overlay.fg(theme.border.fg), title: "Replay — Esc closes", titleStyle: theme.overlayTitle)
        let inner = rect.inset(dx: 1, dy: 1)
        let text = ReplayComparison.render(outcome, width: inner.width - 2)
        for (row, line) in text.split(separator: "\n", omittingEmptySubsequences: false).prefix(inner.height).enumerated() {
            grid.put(String(line), x: inner.x + 1, y: inner.y + row, style: row == 0 ? theme.overlayTitle : theme.overlay, maxWidth: inner.width - 2)
        }
    }
}
