/// What a key does. The reducer performs commands; the key map decides which key means which.
public enum Command: Sendable, Hashable {
    case moveUp, moveDown, pageUp, pageDown, halfPageUp, halfPageDown, top, bottom
    case focusDetail, focusList, toggleFocus
    case nextTab, previousTab
    case showRequests, showStats, showSessions
    /// Sessions screen: show the selected turn on the Requests screen.
    case openTurn
    /// Sessions screen: only sessions of more than one turn, or all.
    case toggleMultiTurn
    case startFilter, clearFilter
    case toggleFollow, togglePause
    case clear, export, exportList
    /// `r`: send the selected request again (asks for an API key first).
    case replay
    case replayKeyAccept, replayKeyCancel, replayKeyBackspace, closeReplay
    case showHelp, closeHelp
    case quit
    case sortNext, sortReverse
    case confirmYes, confirmNo
    case filterAccept, filterCancel, filterBackspace, filterDelete
    case filterLeft, filterRight, filterHome, filterEnd, filterClearLine, filterDeleteWord
}
