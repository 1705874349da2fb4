import Foundation
import LLMTraceModel

/// The two header rows: the title bar (name, connection, server, who is signed in, screens, badges)
/// and the totals with the latest budget alert and a requests-per-minute sparkline.
public enum HeaderBar {
    public static func render(_ state: AppState, history: MinuteHistory, into grid: inout CellGrid, rect: Rect) {
        guard !rect.isEmpty else { return }
        let theme = state.theme
        // Row 1: title bar.
        grid.fill(rect.row(0), style: theme.headerBar)
        var line = StyledLine(" llmtrace ", theme.headerBrand)
        let (dot, connStyle, detail) = connection(state.connection, theme: theme)
        line.append(" " + dot + " " + state.connection.label, connStyle)
        // A sign-in problem is spelled out in the status line; the header only says "not signed in".
        if let detail, state.signInProblem == nil { line.append(" (" + detail + ")", theme.headerDim) }
        line.append("  " + state.serverLabel, theme.headerBar)
        if state.startedLocalServer { line.append("  local server started", theme.headerDim) }
        if state.signInProblem != nil {
            line.append("  ✕ not signed in", theme.offline)
        } else if let account = state.account {
            line.append("  " + account.summary, theme.headerBar)
        }
        var right = StyledLine()
        if state.follow {
            right.append(" FOLLOW ", theme.badge)
            right.append(" ", theme.headerBar)
        }
        if state.paused {
            let n = state.pendingEvents.count
            right.append(state.pendingOverflow ? " PAUSED (many queued) " : " PAUSED (\(n) queued) ", theme.badge)
            right.append(" ", theme.headerBar)
        }
        for s in Screen.allCases {
            let label = " \(s.rawValue) \(s.title) "
            right.append(label, s == state.screen ? theme.tabActive : theme.headerDim)
        }
        let rightWidth = right.width
        grid.put(line.truncated(to: max(0, rect.width - rightWidth - 1)), x: rect.x, y: rect.y)
        if rightWidth < rect.width { grid.put(right, x: rect.maxX - rightWidth, y: rect.y) }

        // Row 2: totals and sparkline.
        guard rect.height > 1 else { return }
        let y = rect.y + 1
        grid.fill(rect.row(1))
        let requests: Int
        let tokens: Int
        let cost: Double
        if let s = state.serverStats {
            requests = max(s.totalRequests, state.analytics.total.requests)
            tokens = s.totalTokens
            cost = s.estimatedCost
        } else {
            requests = state.analytics.total.requests
            tokens = state.analytics.total.totalTokens
            cost = state.analytics.total.cost
        }
        var totals = StyledLine(" ")
        totals.append(Format.grouped(requests), theme.accent)
        totals.append(" requests  ", theme.dim)
        totals.append(Format.compact(tokens), theme.accent)
        totals.append(" tokens  ", theme.dim)
        totals.append(Format.cost(cost), theme.accent)
        let inFlight = state.inFlightCount
        if inFlight > 0 {
            totals.append("  ", theme.dim)
            totals.append("\(inFlight) streaming", theme.spinner)
        }
        var end = grid.put(totals, x: rect.x, y: y, maxWidth: rect.width)
        // Sparkline of requests per minute, at the right.
        let current = history.requests.last ?? 0
        let label = " req/min "
        let rate = " " + Format.perMinute(current) + " "
        var room = rect.maxX - end - 2 - TextMeasure.width(label) - TextMeasure.width(rate)
        // The latest budget alert comes before the sparkline, which keeps at most a third of the room.
        if let alert = state.latestAlert, end < rect.maxX - 4 {
            let sparkRoom = min(history.requests.count, room / 3) >= 8 ? min(history.requests.count, room / 3) : 0
            let reserve = sparkRoom > 0 ? sparkRoom + TextMeasure.width(label) + TextMeasure.width(rate) + 1 : 0
            end = grid.put("  ⚠ " + alert.message, x: end, y: y, style: theme.warning, maxWidth: rect.maxX - end - reserve)
            room = sparkRoom
        }
        let sparkWidth = min(history.requests.count, room)
        if sparkWidth >= 8 {
            let spark = Sparkline.blocks(history.requests.map { $0 }, width: sparkWidth)
            var x = rect.maxX - sparkWidth - TextMeasure.width(label) - TextMeasure.width(rate)
            x = grid.put(label, x: x, y: y, style: theme.dim)
            x = grid.put(spark, x: x, y: y, style: theme.sparkline)
            grid.put(rate, x: x, y: y, style: theme.accent)
        }
    }

    static func connection(_ c: ConnectionStatus, theme: Theme) -> (String, Style, String?) {
        switch c {
        case .connecting: return ("○", theme.reconnecting, nil)
        case .live: return ("●", theme.live, nil)
        case .reconnecting(let reason, let attempt, let retry):
            let wait = retry < 1 ? String(format: "%.2fs", retry) : String(format: "%.0fs", retry)
            return ("◌", theme.reconnecting, "\(reason); retry \(attempt) in \(wait)")
        case .offline(let reason): return ("✕", theme.offline, reason)
        }
    }
}

extension AppState {
    /// How many streams are in flight among the summaries held (counted from the newest 200, which
    /// is where live requests are).
    public var inFlightCount: Int {
        let n = min(store.count, 200)
        guard n > 0 else { return 0 }
        var count = 0
        for id in store.order.ids(in: 0..<n) {
            if let s = store.byID[id], AppState.isInFlight(s) { count += 1 }
        }
        return count
    }
}
