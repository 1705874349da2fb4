import Foundation
import LLMTraceModel

// MARK: - The Sessions screen

extension AppState {
    /// The selected session's summary.
    public var selectedSessionSummary: SessionSummary? {
        sessions.indices.contains(selectedSession) ? sessions[selectedSession] : nil
    }

    /// `3`: shows the sessions, asking the server for them.
    mutating func showSessions(_ effects: inout [Effect]) {
        screen = .sessions
        focus = .list
        askForSessions(&effects)
    }

    mutating func askForSessions(_ effects: inout [Effect]) {
        guard !loadingSessions else { return }
        loadingSessions = true
        sessionsStale = false
        sessionsAskedAt = now
        effects.append(.loadSessions(minTurns: multiTurnOnly ? 2 : 1))
    }

    /// `m`: only sessions of more than one turn, or all again.
    mutating func toggleMultiTurnOnly(_ effects: inout [Effect]) {
        multiTurnOnly.toggle()
        setStatus(multiTurnOnly ? "Sessions of more than one turn only (m shows all)" : "All sessions, single calls too")
        loadingSessions = false
        askForSessions(&effects)
    }

    /// While the screen shows: asks again once requests finished since the last answer, at most every
    /// ``sessionsRefreshSeconds``.
    mutating func refreshSessionsIfStale(_ effects: inout [Effect]) {
        guard screen == .sessions, sessionsStale, !paused else { return }
        if let asked = sessionsAskedAt, now.timeIntervalSince(asked) < sessionsRefreshSeconds { return }
        askForSessions(&effects)
        if let id = sessionDetail?.session.id, loadingSession == nil {
            loadingSession = id
            effects.append(.loadSession(id: id))
        }
    }

    /// New sessions: the selection stays on the session it was on, and its turns are asked for.
    mutating func receiveSessions(_ list: [SessionSummary], _ effects: inout [Effect]) {
        let selectedID = selectedSessionSummary?.id
        loadingSessions = false
        sessionsLoaded = true
        sessionsError = nil
        sessions = list
        selectedSession = selectedID.flatMap { id in list.firstIndex { $0.id == id } } ?? min(selectedSession, max(0, list.count - 1))
        loadSelectedSession(&effects)
    }

    /// Asks for the selected session's turns unless they are loaded or on their way.
    mutating func loadSelectedSession(_ effects: inout [Effect]) {
        guard let id = selectedSessionSummary?.id else {
            sessionDetail = nil
            return
        }
        if sessionDetail?.session.id != id {
            sessionDetail = nil
            selectedTurn = 0
            turnsTop = 0
            if focus == .detail { focus = .list }
        }
        guard sessionDetail == nil, loadingSession != id else { return }
        loadingSession = id
        effects.append(.loadSession(id: id))
    }

    mutating func receiveSession(_ detail: SessionDetail) {
        if loadingSession == detail.session.id { loadingSession = nil }
        guard detail.session.id == selectedSessionSummary?.id else { return }
        let turnID = sessionDetail.flatMap { $0.turns.indices.contains(selectedTurn) ? $0.turns[selectedTurn].id : nil }
        sessionDetail = detail
        selectedTurn = turnID.flatMap { id in detail.turns.firstIndex { $0.id == id } } ?? min(selectedTurn, max(0, detail.turns.count - 1))
    }

    mutating func moveInSessions(_ command: Command, layout: Layout, _ effects: inout [Effect]) {
        if focus == .detail, let detail = sessionDetail {
            let rows = max(1, layout.turnRows)
            selectedTurn = Self.moved(selectedTurn, command, page: rows, last: detail.turns.count - 1)
            turnsTop = Self.scrolled(turnsTop, toShow: selectedTurn, rows: rows, count: detail.turns.count)
        } else {
            guard !sessions.isEmpty else { return }
            let rows = max(1, layout.sessionRows)
            selectedSession = Self.moved(selectedSession, command, page: rows, last: sessions.count - 1)
            sessionsTop = Self.scrolled(sessionsTop, toShow: selectedSession, rows: rows, count: sessions.count)
            loadSelectedSession(&effects)
        }
    }

    /// The first row on screen that keeps row `selected` visible.
    static func scrolled(_ top: Int, toShow selected: Int, rows: Int, count: Int) -> Int {
        var top = top
        if selected < top { top = selected }
        if selected >= top + rows { top = selected - rows + 1 }
        return min(max(0, top), max(0, count - rows))
    }

    /// Enter on a turn: the Requests screen, filtered to the session, with the turn selected (its
    /// summaries join those held, so an older turn is there too).
    mutating func openTurn() {
        guard let detail = sessionDetail, detail.turns.indices.contains(selectedTurn) else { return }
        for turn in detail.turns where store[turn.id] == nil { upsert(turn) }
        selectedID = detail.turns[selectedTurn].id
        follow = false
        let text = "~session \(detail.session.id)"
        filter.draft = text
        filter.cursor = text.count
        filter.error = nil
        applyFilter(.field(.session, .text(detail.session.id)), text: text)
        screen = .requests
        focus = .list
    }
}
