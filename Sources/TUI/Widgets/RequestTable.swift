import Foundation
import LLMTraceModel

/// The request list: a header row and one row per visible request (only the rows on screen are
/// read), a spinner for streams in flight, errors in red, the selection reversed.
public enum RequestTable {
    /// The columns, in order; `priority` decides which go first when the terminal is narrow (lower goes first).
    public enum Column: String, CaseIterable, Sendable {
        case time, env, provider, model, endpoint, status, duration, ttft, tokensIn, tokensOut, cost

        public var title: String {
            switch self {
            case .time: "time"
            case .env: "env"
            case .provider: "provider"
            case .model: "model"
            case .endpoint: "endpoint"
            case .status: "status"
            case .duration: "duration"
            case .ttft: "ttft"
            case .tokensIn: "in"
            case .tokensOut: "out"
            case .cost: "cost"
            }
        }

        var width: Int {
            switch self {
            case .time: 8
            case .env: 10
            case .provider: 10
            case .model: 14  // minimum; takes the spare room
            case .endpoint: 16
            case .status: 6
            case .duration: 8
            case .ttft: 7
            case .tokensIn: 7
            case .tokensOut: 7
            case .cost: 9
            }
        }

        var alignRight: Bool {
            switch self {
            case .duration, .ttft, .tokensIn, .tokensOut, .cost: true
            default: false
            }
        }

        /// Lower numbers are dropped first when the row does not fit.
        var keep: Int {
            switch self {
            case .model: 100
            case .status: 90
            case .time: 80
            case .duration: 70
            case .cost: 60
            case .tokensOut: 50
            case .tokensIn: 45
            case .env: 40
            case .ttft: 30
            case .provider: 20
            case .endpoint: 10
            }
        }
    }

    /// The columns that fit in `width` and their widths (the model column takes what is left).
    public static func columns(for width: Int) -> [(Column, Int)] {
        var chosen = Column.allCases
        func needed(_ cols: [Column]) -> Int { cols.reduce(0) { $0 + $1.width } + cols.count + 1 }
        while needed(chosen) > width, chosen.count > 1 {
            let drop = chosen.filter { $0 != .model }.min { $0.keep < $1.keep }!
            chosen.removeAll { $0 == drop }
        }
        let spare = max(0, width - needed(chosen))
        return chosen.map { ($0, $0 == .model ? $0.width + min(spare, 40) : $0.width) }
    }

    /// Spinner frames.
    public static let spinner: [String] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

    public static func render(_ state: AppState, into grid: inout CellGrid, rect: Rect) {
        guard !rect.isEmpty else { return }
        let theme = state.theme
        let cols = columns(for: rect.width)
        // Header row.
        grid.fill(rect.row(0), style: theme.tableHeader)
        var x = rect.x + 1
        for (col, w) in cols {
            grid.putField(col.title, x: x, y: rect.y, width: w, style: theme.tableHeader, alignRight: col.alignRight)
            x += w + 1
        }
        let rows = rect.height - 1
        guard rows > 0 else { return }
        let body = Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rows)
        grid.fill(body)
        if state.visible.isEmpty {
            let message: String
            if let p = state.filterProgress {
                message = "Filtering… \(Int(p * 100))%"
            } else if !state.loaded {
                message = "Loading requests…"
            } else if state.store.count > 0 {
                message = "No request matches the filter (\(state.store.count) held). Esc clears it."
            } else {
                message =
                    "No requests yet. Point a client's base URL at the proxy, e.g. OPENAI_BASE_URL=http://localhost:8080/proxy/dev/https/api.openai.com/v1"
            }
            for (i, piece) in StyledLine(message, theme.dim).wrapped(to: max(1, rect.width - 4)).prefix(rows).enumerated() {
                grid.put(piece, x: rect.x + 2, y: body.y + i)
            }
            return
        }
        // The reducer keeps the selection on screen for its own size; at another size, do it here.
        var top = state.listTop
        if state.selectedID != nil {
            if state.selectedPosition < top { top = state.selectedPosition }
            if state.selectedPosition >= top + rows { top = state.selectedPosition - rows + 1 }
        }
        top = min(max(0, top), max(0, state.visible.count - rows))
        let ids = state.visible.ids(in: top..<(top + rows))
        for (i, id) in ids.enumerated() {
            guard let s = state.store[id] else { continue }
            let y = body.y + i
            let selected = id == state.selectedID
            var base = s.isError ? theme.error : theme.text
            if selected {
                base = theme.selected.fg(base.fg)
                if state.focus == .list { base = base.bolded() }
            }
            grid.fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), style: base)
            if selected, state.focus == .list { grid.put("▶", x: rect.x, y: y, style: base) }
            var cx = rect.x + 1
            for (col, w) in cols {
                var style = base
                let text = cell(col, s, state: state, style: &style, selected: selected)
                grid.putField(text, x: cx, y: y, width: w, style: style, alignRight: col.alignRight)
                if cx + w < rect.maxX { grid.put(" ", x: cx + w, y: y, style: base) }
                cx += w + 1
            }
        }
        // Scroll position.
        if state.visible.count > rows, rect.width >= 3 {
            ScrollBar.render(
                total: state.visible.count,
                visible: rows,
                offset: top,
                into: &grid,
                x: rect.maxX - 1,
                y: body.y,
                height: rows,
                theme: theme
            )
        }
    }

    static func cell(_ col: Column, _ s: TraceSummary, state: AppState, style: inout Style, selected: Bool) -> String {
        let theme = state.theme
        switch col {
        case .time: return Format.clock(s.startedAt, zone: state.timeZone)
        case .env: return s.env
        case .provider: return s.provider ?? Format.unknown
        case .model: return s.model ?? Format.unknown
        case .endpoint: return s.endpoint ?? s.path
        case .status:
            if AppState.isInFlight(s) {
                if !selected { style = theme.spinner }
                let frame = spinner[state.tick % spinner.count]
                return s.status.map { "\(frame) \($0)" } ?? frame
            }
            if !s.isError, !selected { style = s.complete ? theme.success : theme.warning }
            var t = s.status.map(String.init) ?? (s.error != nil ? "err" : Format.unknown)
            if !s.complete, s.error == nil { t += "✂" }
            return t
        case .duration:
            if let d = s.durationMs { return Format.duration(d) }
            guard AppState.isInFlight(s) else { return Format.unknown }
            if !selected { style = theme.spinner }
            return Format.duration(state.elapsedMs(s))
        case .ttft: return Format.duration(s.ttftMs)
        case .tokensIn: return Format.compact(s.usage.inputTokens)
        case .tokensOut:
            if s.usage.outputTokens == nil, AppState.isInFlight(s) { return "…" }
            return Format.compact(s.usage.outputTokens)
        case .cost: return Format.cost(s.estimatedCost)
        }
    }
}
