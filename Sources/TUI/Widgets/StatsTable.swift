import LLMTraceModel

/// The per-model and per-env tables of the Stats screen.
public enum StatsTable {
    /// Rows for one breakdown: request, token, cost, average and error counts from the server's
    /// ``Stats`` when the driver has one (it covers every record), cached and reasoning tokens and p95
    /// from the summaries held; groups the server does not list come from the summaries held alone.
    public static func rows(_ state: AppState, byModel: Bool) -> [StatsRow] {
        let local = byModel ? state.analytics.byModel : state.analytics.byEnv
        var rows: [String: StatsRow] = [:]
        for (name, g) in local {
            rows[name] = StatsRow(
                name: name,
                requests: g.requests,
                inputTokens: g.inputTokens,
                cachedTokens: g.cachedReported > 0 ? g.cachedTokens : nil,
                outputTokens: g.outputTokens,
                reasoningTokens: g.reasoningReported > 0 ? g.reasoningTokens : nil,
                cost: g.cost,
                avgLatencyMs: g.averageDurationMs,
                p95LatencyMs: g.p95DurationMs,
                errors: g.errors,
                heldRequests: g.requests
            )
        }
        if let stats = state.serverStats {
            for b in byModel ? stats.modelBreakdown : stats.envBreakdown {
                let name = (byModel ? b.model : b.env) ?? "unknown"
                let g = local[name]
                // The server's counts cover every record; keep the local ones if they are newer and larger.
                guard b.requests >= (g?.requests ?? 0) else { continue }
                rows[name] = StatsRow(
                    name: name,
                    requests: b.requests,
                    inputTokens: b.promptTokens,
                    cachedTokens: (g?.cachedReported ?? 0) > 0 ? g?.cachedTokens : nil,
                    outputTokens: b.completionTokens,
                    reasoningTokens: (g?.reasoningReported ?? 0) > 0 ? g?.reasoningTokens : nil,
                    cost: b.estimatedCost,
                    avgLatencyMs: b.avgResponseTimeMs,
                    p95LatencyMs: g?.p95DurationMs,
                    errors: b.errors,
                    heldRequests: g?.requests ?? 0
                )
            }
        }
        return sorted(Array(rows.values), by: state.statsSort)
    }

    public static func sorted(_ rows: [StatsRow], by sort: StatsSort) -> [StatsRow] {
        func key(_ r: StatsRow) -> Double {
            switch sort.column {
            case .name: 0
            case .requests: Double(r.requests)
            case .input: Double(r.inputTokens)
            case .cached: Double(r.cachedTokens ?? -1)
            case .output: Double(r.outputTokens)
            case .reasoning: Double(r.reasoningTokens ?? -1)
            case .cost: r.cost
            case .avgLatency: r.avgLatencyMs ?? -1
            case .p95Latency: r.p95LatencyMs ?? -1
            case .errors: Double(r.errors)
            }
        }
        return rows.sorted { a, b in
            if sort.column == .name {
                return sort.descending ? a.name > b.name : a.name < b.name
            }
            let ka = key(a)
            let kb = key(b)
            if ka != kb { return sort.descending ? ka > kb : ka < kb }
            return a.name < b.name
        }
    }

    /// The number columns, their widths, and the order they are dropped in on narrow terminals
    /// (lower first).
    static let numberColumns: [(column: StatsColumn, width: Int, keep: Int)] = [
        (.requests, 8, 90), (.input, 7, 60), (.cached, 7, 30), (.output, 7, 70), (.reasoning, 9, 20), (.cost, 9, 100),
        (.avgLatency, 7, 10), (.p95Latency, 7, 80), (.errors, 6, 85),
    ]

    /// The number columns that fit next to a name column of at least 12 in `width`.
    static func columns(for width: Int) -> [(column: StatsColumn, width: Int, keep: Int)] {
        var cols = numberColumns
        func needed() -> Int { 1 + 12 + cols.reduce(0) { $0 + $1.width + 1 } }
        while needed() > width, cols.count > 1 {
            let drop = cols.min { $0.keep < $1.keep }!
            cols.removeAll { $0.column == drop.column }
        }
        return cols
    }

    /// The table as lines: a header (sort column marked ▼ or ▲) and one line per row.
    public static func lines(title: String, rows: [StatsRow], sort: StatsSort, width: Int, theme: Theme) -> [StyledLine] {
        let cols = columns(for: width)
        let numbersWidth = cols.reduce(0) { $0 + $1.width + 1 }
        let nameWidth = max(12, min(40, width - numbersWidth - 1))
        let arrow = sort.descending ? "▼" : "▲"
        var header = StyledLine(" ", theme.tableHeader)
        let nameTitle = title + (sort.column == .name ? " " + arrow : "")
        header.append(TextMeasure.pad(nameTitle, to: nameWidth), theme.tableHeader)
        for c in cols {
            let t = c.column == sort.column ? arrow + " " + c.column.title : c.column.title
            header.append(
                " " + TextMeasure.pad(t, to: c.width, alignRight: true),
                c.column == sort.column ? theme.tableHeader.underlined() : theme.tableHeader
            )
        }
        var out = [header]
        if rows.isEmpty { out.append(StyledLine("  no requests", theme.dim)) }
        for r in rows {
            var line = StyledLine(" ")
            line.append(TextMeasure.pad(r.name, to: nameWidth), theme.text)
            for c in cols {
                let text: String
                var style = theme.text
                switch c.column {
                case .name: continue
                case .requests: text = Format.grouped(r.requests)
                case .input: text = Format.compact(r.inputTokens)
                case .cached:
                    text = Format.compact(r.cachedTokens)
                    style = theme.dim
                case .output: text = Format.compact(r.outputTokens)
                case .reasoning:
                    text = Format.compact(r.reasoningTokens)
                    style = theme.dim
                case .cost:
                    text = Format.cost(r.cost)
                    style = theme.accent
                case .avgLatency: text = Format.duration(r.avgLatencyMs)
                case .p95Latency: text = Format.duration(r.p95LatencyMs)
                case .errors:
                    text = Format.grouped(r.errors)
                    style = r.errors > 0 ? theme.error : theme.dim
                }
                line.append(" " + TextMeasure.pad(text, to: c.width, alignRight: true), style)
            }
            out.append(line)
        }
        return out
    }
}
