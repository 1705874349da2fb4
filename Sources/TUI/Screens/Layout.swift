/// Where everything goes on a terminal of a given size. The reducer uses it for paging and scrolling,
/// the renderer to draw; both get the same answer for the same size.
public struct Layout: Sendable, Equatable {
    /// Two rows: title bar and totals.
    public var header: Rect
    /// Between header and status line.
    public var body: Rect
    /// Filter input, confirmation question or status message.
    public var statusLine: Rect
    /// Keys that work here.
    public var footer: Rect

    // Requests screen
    /// The request table, its column header included (empty when hidden).
    public var list: Rect
    /// The detail tab bar (empty when hidden).
    public var tabs: Rect
    /// The detail pane below the tab bar (empty when hidden).
    public var detail: Rect

    // Sessions screen
    /// The session table, its column header included.
    public var sessionList: Rect
    /// The selected session's title line and its turn table (column header included).
    public var sessionTurns: Rect
    /// Rows of requests the list shows.
    public var listRows: Int { max(0, list.height - 1) }
    /// Rows of sessions the session table shows.
    public var sessionRows: Int { max(0, sessionList.height - 1) }
    /// Rows of turns the turn table shows (below its title and column header).
    public var turnRows: Int { max(0, sessionTurns.height - 2) }
    /// Columns of text in the detail pane (one column of margin, one for the scroll bar).
    public var detailTextWidth: Int { max(1, detail.width - 2) }

    public init(width: Int, height: Int, state: AppState) {
        self.init(width: width, height: height, screen: state.screen, focus: state.focus)
    }

    public init(width: Int, height: Int, screen: Screen, focus: Focus) {
        let all = Rect(x: 0, y: 0, width: width, height: height)
        var rest = all
        (header, rest) = rest.splitTop(min(2, height))
        (rest, footer) = rest.splitBottom(height >= 4 ? 1 : 0)
        (rest, statusLine) = rest.splitBottom(height >= 5 ? 1 : 0)
        body = rest
        list = Rect(x: 0, y: body.y, width: 0, height: 0)
        tabs = list
        detail = list
        sessionList = list
        sessionTurns = list
        if screen == .sessions, body.height > 0 {
            (sessionList, sessionTurns) = body.splitTop(body.height >= 10 ? max(4, body.height * 2 / 5) : body.height)
            return
        }
        guard screen == .requests, body.height > 0 else { return }
        if body.height >= 12 {
            let listHeight = min(max(4, body.height * 2 / 5), body.height - 6)
            let (l, r) = body.splitTop(listHeight)
            list = l
            (tabs, detail) = r.splitTop(1)
        } else if focus == .list {
            list = body
        } else {
            (tabs, detail) = body.splitTop(1)
        }
    }
}
