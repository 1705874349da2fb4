/// The Requests screen: the list, the tab bar and the detail pane.
public enum RequestsScreen {
    public static func render(_ state: AppState, layout: Layout, into grid: inout CellGrid) {
        let theme = state.theme
        RequestTable.render(state, into: &grid, rect: layout.list)
        if !layout.tabs.isEmpty {
            var extra: StyledLine?
            if let s = state.selectedSummary {
                var e = StyledLine()
                if AppState.isInFlight(s) {
                    e.append(RequestTable.spinner[state.tick % RequestTable.spinner.count] + " streaming ", theme.spinner.bg(theme.tabBar.bg))
                }
                if let id = state.selectedID, state.loadingRecords.contains(id) { e.append("loading… ", theme.tabInactive) }
                e.append(s.id, theme.tabInactive)
                extra = e
            }
            TabsBar.render(
                titles: DetailTab.allCases.map(\.title),
                active: state.tab.rawValue,
                extra: extra,
                focused: state.focus == .detail,
                into: &grid,
                rect: layout.tabs,
                theme: theme
            )
        }
        if !layout.detail.isEmpty {
            if state.selectedID == nil {
                grid.fill(layout.detail)
                grid.put(
                    "Select a request to see it here.",
                    x: layout.detail.x + 2,
                    y: layout.detail.y,
                    style: theme.dim,
                    maxWidth: layout.detail.width - 2
                )
            } else {
                let lines = state.detailLines(width: layout.detailTextWidth)
                TextView.render(lines, scroll: state.detailScroll, into: &grid, rect: layout.detail, theme: theme)
            }
        }
    }
}
