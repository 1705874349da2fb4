/// The Stats screen: sparklines over the last hour, then the per-model and per-env tables.
public enum StatsScreen {
    /// The screen's lines at `width` (the renderer scrolls them).
    public static func lines(_ state: AppState, history: MinuteHistory, width: Int) -> [StyledLine] {
        let theme = state.theme
        var out: [StyledLine] = []
        out.append(StyledLine(" Last \(history.minutes.count) minutes, one column per minute", theme.accent))
        let labelWidth = 14
        let valueWidth = 22
        let sparkWidth = max(8, min(history.minutes.count, width - labelWidth - valueWidth - 4))
        func row(_ label: String, _ values: [Double?], _ now: String, _ peak: String, _ style: Style) {
            var line = StyledLine(" " + TextMeasure.pad(label, to: labelWidth), theme.label)
            line.append(Sparkline.blocks(values, width: sparkWidth), style)
            line.append("  now " + now, theme.text)
            line.append("  max " + peak, theme.dim)
            out.append(line)
        }
        let p95 = history.p95LatencyMs
        row(
            "requests",
            history.requests.map { $0 },
            Format.grouped(Int(history.requests.last ?? 0)),
            Format.grouped(Int(history.requests.max() ?? 0)),
            theme.sparkline
        )
        row(
            "tokens",
            history.tokens.map { $0 },
            Format.compact(Int(history.tokens.last ?? 0)),
            Format.compact(Int(history.tokens.max() ?? 0)),
            theme.sparkline
        )
        row("cost", history.cost.map { $0 }, Format.cost(history.cost.last ?? 0), Format.cost(history.cost.max() ?? 0), theme.jsonNumber)
        row("p95 latency", p95, Format.duration(p95.last ?? nil), Format.duration(p95.compactMap { $0 }.max()), theme.warning)
        row(
            "errors",
            history.errors.map { $0 },
            Format.grouped(Int(history.errors.last ?? 0)),
            Format.grouped(Int(history.errors.max() ?? 0)),
            theme.error
        )
        out.append(.empty)

        let sortText = "sorted by \(state.statsSort.column.title) \(state.statsSort.descending ? "▼" : "▲")  (s: next column, S: reverse)"
        let models = StatsTable.rows(state, byModel: true)
        let envs = StatsTable.rows(state, byModel: false)
        var title = StyledLine(" By model", theme.accent)
        title.append("  " + sortText, theme.dim)
        out.append(title)
        out.append(contentsOf: StatsTable.lines(title: "model", rows: models, sort: state.statsSort, width: width, theme: theme))
        out.append(.empty)
        out.append(StyledLine(" By environment", theme.accent))
        out.append(contentsOf: StatsTable.lines(title: "env", rows: envs, sort: state.statsSort, width: width, theme: theme))
        let held = state.analytics.total.requests
        if let server = state.serverStats, server.totalRequests > held {
            out.append(.empty)
            out.append(
                StyledLine(
                    " Requests, tokens, cost, avg and errors cover all \(Format.grouped(server.totalRequests)) requests on the server; cached, reasoning and p95 the \(Format.grouped(held)) loaded.",
                    theme.dim
                )
            )
        }
        if let server = state.serverStats, !server.unpricedModels.isEmpty {
            out.append(StyledLine(" No price known for: " + server.unpricedModels.joined(separator: ", "), theme.warning))
        }
        return out
    }

    public static func render(_ state: AppState, history: MinuteHistory, into grid: inout CellGrid, rect: Rect) {
        guard !rect.isEmpty else { return }
        let lines = lines(state, history: history, width: rect.width - 2).wrapped(to: rect.width - 2)
        TextView.render(lines, scroll: state.statsScroll, into: &grid, rect: rect, theme: state.theme)
    }
}
