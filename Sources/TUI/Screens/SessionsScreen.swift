import Foundation
import LLMTraceModel

/// The Sessions screen: the sessions (agent runs, conversations) with their totals, most recently active
/// first; below, the selected session's turns.
public enum SessionsScreen {
    /// A table column: title, minimum width, alignment, and how readily it is dropped on a narrow terminal
    /// (lower first). The widest-flexible column (`grow`) takes the spare room.
    struct Column {
        var title: String
        var width: Int
        var alignRight = false
        var keep: Int
        var grow = false
    }

    static let sessionColumns: [Column] = [
        Column(title: "last active", width: 11, keep: 80),
        Column(title: "session", width: 22, keep: 100),
        Column(title: "env", width: 10, keep: 40),
        Column(title: "turns", width: 5, alignRight: true, keep: 95),
        Column(title: "in", width: 7, alignRight: true, keep: 50),
        Column(title: "out", width: 7, alignRight: true, keep: 48),
        Column(title: "cost", width: 9, alignRight: true, keep: 90),
        Column(title: "wall", width: 8, alignRight: true, keep: 60),
        Column(title: "models", width: 16, keep: 30, grow: true),
        Column(title: "err", width: 4, alignRight: true, keep: 70),
    ]

    static let turnColumns: [Column] = [
        Column(title: "#", width: 4, alignRight: true, keep: 100),
        Column(title: "time", width: 8, keep: 80),
        Column(title: "model", width: 14, keep: 90),
        Column(title: "status", width: 6, keep: 85),
        Column(title: "in", width: 7, alignRight: true, keep: 50),
        Column(title: "out", width: 7, alignRight: true, keep: 48),
        Column(title: "cost", width: 9, alignRight: true, keep: 70),
        Column(title: "duration", width: 8, alignRight: true, keep: 60),
        Column(title: "answer", width: 20, keep: 95, grow: true),
    ]

    /// The columns that fit in `width`, with their widths.
    static func fit(_ columns: [Column], width: Int) -> [(Column, Int)] {
        var chosen = columns
        func needed(_ cols: [Column]) -> Int { cols.reduce(0) { $0 + $1.width } + cols.count + 1 }
        while needed(chosen) > width, chosen.count > 1, let drop = chosen.min(by: { $0.keep < $1.keep }) {
            chosen.removeAll { $0.title == drop.title }
        }
        let spare = max(0, width - needed(chosen))
        // The growing column takes the spare room, or the last one when it was dropped.
        let grower = chosen.last { $0.grow }?.title ?? chosen.last?.title
        return chosen.map { ($0, $0.title == grower ? $0.width + spare : $0.width) }
    }

    public static func render(_ state: AppState, layout: Layout, into grid: inout CellGrid) {
        renderSessions(state, into: &grid, rect: layout.sessionList)
        renderTurns(state, into: &grid, rect: layout.sessionTurns)
    }

    static func sessionCells(_ s: SessionSummary, state: AppState) -> [String] {
        [
            Format.clock(s.lastActivityAt, zone: state.timeZone),
            s.id,
            s.env,
            Format.grouped(s.turns),
            Format.compact(s.inputTokens),
            Format.compact(s.outputTokens),
            Format.cost(s.cost),
            Format.duration(s.wallMs),
            s.models.joined(separator: ", "),
            s.errors == 0 ? "" : String(s.errors),
        ]
    }

    static func turnCells(_ s: TraceSummary, state: AppState) -> [String] {
        let answer =
            (s.text ?? "").split(separator: "\n").first.map(String.init)
            ?? s.toolCalls.first.map { "→ \($0.name)(\($0.arguments))" } ?? s.error?.message ?? ""
        return [
            s.turn.map(String.init) ?? "",
            Format.clock(s.startedAt, zone: state.timeZone),
            s.model ?? Format.unknown,
            s.status.map(String.init) ?? (AppState.isInFlight(s) ? "…" : Format.unknown),
            Format.compact(s.usage.inputTokens),
            Format.compact(s.usage.outputTokens),
            Format.cost(s.estimatedCost),
            Format.duration(s.durationMs),
            answer,
        ]
    }

    static func renderSessions(_ state: AppState, into grid: inout CellGrid, rect: Rect) {
        guard !rect.isEmpty else { return }
        let message: String?
        if let error = state.sessionsError, state.sessions.isEmpty {
            message = "Could not load sessions: \(error)"
        } else if !state.sessionsLoaded {
            message = "Loading sessions…"
        } else if state.sessions.isEmpty, state.multiTurnOnly {
            message = "No session of more than one turn yet. m shows every session, single calls too."
        } else if state.sessions.isEmpty {
            message =
                "No sessions yet. A conversation's turns group by themselves (each request repeats the earlier messages); name one with the x-llmtrace-session header or /proxy/ENV+SESSION/… in the base URL."
        } else {
            message = nil
        }
        table(
            sessionColumns,
            rows: state.sessions.map { (sessionCells($0, state: state), $0.errors > 0) },
            selected: state.selectedSession,
            top: state.sessionsTop,
            focused: state.focus == .list,
            message: message,
            state: state,
            into: &grid,
            rect: rect
        )
    }

    static func renderTurns(_ state: AppState, into grid: inout CellGrid, rect: Rect) {
        guard rect.height >= 2 else { return }
        let theme = state.theme
        let (titleRow, rest) = rect.splitTop(1)
        grid.fill(titleRow, style: theme.tabBar)
        guard let s = state.selectedSessionSummary else { return }
        var title = StyledLine(" \(s.id) ", theme.tabActive)
        var facts =
            "  \(s.env) · \(Format.grouped(s.turns)) turn\(s.turns == 1 ? "" : "s") · \(Format.cost(s.cost)) · \(Format.compact(s.totalTokens)) tokens"
        facts += " · waited \(Format.duration(s.durationMs)) of \(Format.duration(s.wallMs))"
        if s.errors > 0 { facts += " · \(s.errors) errors" }
        title.append(facts, theme.tabInactive)
        _ = grid.put(title.truncated(to: rect.width), x: rect.x, y: rect.y)
        guard let detail = state.sessionDetail, detail.session.id == s.id else {
            grid.fill(rest)
            _ = grid.put("Loading its turns…", x: rect.x + 2, y: rest.y + min(1, rest.height - 1), style: theme.dim)
            return
        }
        table(
            turnColumns,
            rows: detail.turns.map { (turnCells($0, state: state), $0.isError) },
            selected: state.focus == .detail ? state.selectedTurn : nil,
            top: state.turnsTop,
            focused: state.focus == .detail,
            message: detail.turns.isEmpty ? "No turns held." : nil,
            state: state,
            into: &grid,
            rect: rest
        )
    }

    /// A table: a header row, then `rows` from `top` (kept so that `selected` shows), errors in red, the
    /// selection reversed, a scroll bar when it does not fit.
    static func table(
        _ columns: [Column],
        rows: [(cells: [String], isError: Bool)],
        selected: Int?,
        top: Int,
        focused: Bool,
        message: String?,
        state: AppState,
        into grid: inout CellGrid,
        rect: Rect
    ) {
        let theme = state.theme
        let fitted = fit(columns, width: rect.width)
        let indexes = fitted.map { col in columns.firstIndex { $0.title == col.0.title } ?? 0 }
        grid.fill(rect.row(0), style: theme.tableHeader)
        var x = rect.x + 1
        for (col, w) in fitted {
            grid.putField(col.title, x: x, y: rect.y, width: w, style: theme.tableHeader, alignRight: col.alignRight)
            x += w + 1
        }
        let height = rect.height - 1
        guard height > 0 else { return }
        let body = Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: height)
        grid.fill(body)
        if let message {
            for (i, piece) in StyledLine(message, theme.dim).wrapped(to: max(1, rect.width - 4)).prefix(height).enumerated() {
                _ = grid.put(piece, x: rect.x + 2, y: body.y + i)
            }
            return
        }
        let first = AppState.scrolled(top, toShow: selected ?? top, rows: height, count: rows.count)
        for (i, row) in rows.dropFirst(first).prefix(height).enumerated() {
            let y = body.y + i
            let isSelected = first + i == selected
            var style = row.isError ? theme.error : theme.text
            if isSelected {
                style = theme.selected.fg(style.fg)
                if focused { style = style.bolded() }
            }
            grid.fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), style: style)
            if isSelected, focused { _ = grid.put("▶", x: rect.x, y: y, style: style) }
            var cx = rect.x + 1
            for ((col, w), index) in zip(fitted, indexes) {
                grid.putField(row.cells[index], x: cx, y: y, width: w, style: style, alignRight: col.alignRight)
                cx += w + 1
            }
        }
        if rows.count > height, rect.width >= 3 {
            ScrollBar.render(
                total: rows.count,
                visible: height,
                offset: first,
                into: &grid,
                x: rect.maxX - 1,
                y: body.y,
                height: height,
                theme: theme
            )
        }
    }
}
