/// The line above the footer: the filter input while typing (valid in green, invalid in red with the
/// reason and column, the mistake underlined), a confirmation question, a status message, how to sign
/// in again when the session has ended, or the filter in force.
public enum StatusLine {
    public static func render(_ state: AppState, into grid: inout CellGrid, rect: Rect) {
        guard !rect.isEmpty else { return }
        let theme = state.theme
        grid.fill(rect)
        let y = rect.y
        if let c = state.confirmation {
            grid.fill(rect, style: theme.statusError)
            grid.put(" " + c.prompt, x: rect.x, y: y, style: theme.statusError, maxWidth: rect.width)
            return
        }
        if let prompt = state.replayPrompt {
            var line = StyledLine(" API key to replay \(prompt.recordID) with (Enter alone: $\(prompt.variable)): ", theme.accent)
            line.append(String(repeating: "•", count: prompt.key.count), theme.text)
            line.append(" ", theme.cursor)
            grid.put(line, x: rect.x, y: y, maxWidth: rect.width)
            return
        }
        if state.filter.editing {
            renderFilterInput(state, into: &grid, rect: rect)
            return
        }
        if let status = state.status {
            let style = status.isError ? theme.statusError : theme.statusInfo
            if status.isError { grid.fill(rect, style: style) }
            grid.put(" " + status.text, x: rect.x, y: y, style: style, maxWidth: rect.width)
            return
        }
        if let problem = state.signInProblem {
            grid.fill(rect, style: theme.statusError)
            grid.put(" " + problem, x: rect.x, y: y, style: theme.statusError, maxWidth: rect.width)
            return
        }
        if state.filter.isActive {
            var line = StyledLine(" filter ", theme.label)
            line.append(state.filter.appliedText, theme.accent)
            line.append("  \(Format.grouped(state.visible.count)) of \(Format.grouped(state.store.count))", theme.dim)
            if let p = state.filterProgress { line.append("  filtering… \(Int(p * 100))%", theme.warning) }
            grid.put(line, x: rect.x, y: y, maxWidth: rect.width)
        }
    }

    static func renderFilterInput(_ state: AppState, into grid: inout CellGrid, rect: Rect) {
        let theme = state.theme
        let f = state.filter
        let y = rect.y
        var x = grid.put(" / ", x: rect.x, y: y, style: theme.accent)
        // The input, scrolled so the cursor stays visible; the error span underlined in red.
        let chars = Array(f.draft)
        let inputWidth = max(10, rect.width * 3 / 5 - 3)
        var start = 0
        func width(_ a: Int, _ b: Int) -> Int { chars[a..<b].reduce(0) { $0 + TextMeasure.charWidth($1) } }
        while start < f.cursor, width(start, f.cursor) >= inputWidth { start += 1 }
        let errorRange: Range<Int>? = f.error.map { e in e.position..<max(e.position + e.length, e.position + 1) }
        var i = start
        let inputEnd = x + inputWidth
        while i <= chars.count, x < min(inputEnd, rect.maxX) {
            let isCursor = i == f.cursor
            let text = i < chars.count ? String(chars[i]) : " "
            var style = theme.text
            if let r = errorRange, r.contains(i) { style = theme.filterInvalid.underlined() }
            if isCursor { style = theme.cursor }
            if i == chars.count, !isCursor { break }
            let w = i < chars.count ? TextMeasure.charWidth(chars[i]) : 1
            if x + w > min(inputEnd, rect.maxX) { break }
            x = grid.put(text, x: x, y: y, style: style)
            i += 1
        }
        x = max(x, min(inputEnd, rect.maxX)) + 1
        // Validity.
        if let e = f.error {
            let msg = "✗ column \(e.position + 1): \(e.message)"
            grid.put(msg, x: x, y: y, style: theme.filterInvalid, maxWidth: rect.maxX - x)
        } else {
            var msg = "✓ \(Format.grouped(state.visible.count)) match\(state.visible.count == 1 ? "" : "es")"
            if let p = state.filterProgress { msg += " so far (\(Int(p * 100))% checked)" }
            grid.put(msg, x: x, y: y, style: theme.filterValid, maxWidth: rect.maxX - x)
        }
    }
}
