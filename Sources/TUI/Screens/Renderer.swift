/// Draws the whole screen.
public enum Renderer {
    /// The frame for `state` on a `width` × `height` terminal. Pure: reads only the list rows on screen
    /// and the detail lines the reducer prepared (when the size matches the last ``Action/resize(width:height:)``).
    public static func render(_ state: AppState, width: Int, height: Int) -> CellGrid {
        var grid = CellGrid(width: width, height: height)
        guard width > 0, height > 0 else { return grid }
        let layout = Layout(width: width, height: height, state: state)
        let history = MinuteHistory(state: state)
        HeaderBar.render(state, history: history, into: &grid, rect: layout.header)
        switch state.screen {
        case .requests: RequestsScreen.render(state, layout: layout, into: &grid)
        case .stats: StatsScreen.render(state, history: history, into: &grid, rect: layout.body)
        case .sessions: SessionsScreen.render(state, layout: layout, into: &grid)
        }
        StatusLine.render(state, into: &grid, rect: layout.statusLine)
        Footer.render(state, into: &grid, rect: layout.footer)
        if let outcome = state.replayResult { ReplayOverlay.render(outcome, state: state, into: &grid, area: layout.body) }
        if state.helpVisible { HelpOverlay.render(state, into: &grid, area: layout.body) }
        return grid
    }
}
