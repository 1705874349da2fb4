import Client
import Foundation
import LLMTraceModel

/// Applies `action` to `state` and returns the work the driver must do.
///
/// Pure apart from `state`: no I/O, no clock (time comes from ``Action/tick(_:)``).
public func reduce(_ state: inout AppState, _ action: Action) -> [Effect] {
    var effects: [Effect] = []
    let before = state.selectedID
    switch action {
    case .start:
        effects.append(.reload)
    case .key(let key):
        state.handle(key, &effects)
    case .resize(let w, let h):
        state.width = max(0, w)
        state.height = max(0, h)
    case .tick(let date):
        state.now = date
        if !state.paused { state.tick &+= 1 }
        if let expiry = state.status?.expiresAt, date.timeIntervalSince1970 >= expiry { state.status = nil }
        state.analytics.prune(nowMinute: Analytics.minute(of: date))
        state.continueFilter()
        state.refreshSessionsIfStale(&effects)
    case .work:
        state.continueFilter()
    case .event(let payload):
        if case .completed = payload { state.sessionsStale = true }
        state.receive(payload, &effects)
    case .connection(let c):
        state.connection = c
        if c == .live { state.signInProblem = nil }
    case .pageLoaded(let page, let replace):
        state.applyPage(page, replace: replace)
    case .pageFailed(let message):
        state.loadingOlder = false
        state.setStatus("Could not load requests: \(message)", error: true)
    case .recordLoaded(let record):
        state.loadingRecords.remove(record.id)
        state.recordErrors[record.id] = nil
        state.records.insert(record)
        if record.id == state.selectedID { state.detailRevision &+= 1 }
    case .recordFailed(let id, let message):
        state.loadingRecords.remove(id)
        state.recordErrors[id] = message
        if id == state.selectedID { state.detailRevision &+= 1 }
    case .statsLoaded(let stats):
        state.serverStats = stats
    case .timeseriesLoaded(let ts):
        state.serverTimeseries = ts
    case .sessionsLoaded(let list):
        state.receiveSessions(list, &effects)
    case .sessionsFailed(let message):
        state.loadingSessions = false
        state.sessionsError = message
    case .sessionLoaded(let detail):
        state.receiveSession(detail)
    case .sessionFailed(let id, let message):
        if state.loadingSession == id { state.loadingSession = nil }
        state.setStatus("Could not load session \(id): \(message)", error: true)
    case .diffLoaded(let diff):
        state.loadingDiffs.remove(diff.id)
        state.diffs[diff.id] = diff
        if diff.id == state.selectedID { state.detailRevision &+= 1 }
    case .diffFailed(let id, let message):
        state.loadingDiffs.remove(id)
        state.diffErrors[id] = message
        if id == state.selectedID { state.detailRevision &+= 1 }
    case .replayed(let outcome):
        state.replayResult = outcome
        state.setStatus("Replayed \(outcome.original.id) as \(outcome.replay.id)")
    case .replayFailed(let id, let message):
        state.setStatus("Replay of \(id) failed: \(message)", error: true)
    case .exported(let id, let path):
        state.setStatus("Exported \(id) to \(path)")
    case .exportFailed(let id, let message):
        state.setStatus("Export of \(id) failed: \(message)", error: true)
    case .listExported(let path, let records):
        state.listExport = nil
        state.setStatus("Exported \(Format.grouped(records)) request\(records == 1 ? "" : "s") to \(path)")
    case .listExportFailed(let message):
        state.listExport = nil
        state.setStatus("Export failed: \(message)", error: true)
    case .clearFailed(let message):
        state.setStatus("Clear failed: \(message)", error: true)
        effects.append(.reload)
    case .signedIn(let identity):
        state.account = identity
        state.signInProblem = nil
    case .signInNeeded(let message):
        state.signInProblem = message
    case .status(let text, let isError):
        state.setStatus(text, error: isError)
    }
    state.settle(selectionBefore: before, &effects)
    return effects
}

extension AppState {
    /// Applies an action and returns its effects: `state.send(.key(.char("j")))`.
    @discardableResult
    public mutating func send(_ action: Action) -> [Effect] { reduce(&self, action) }
}

// MARK: - Keys

extension AppState {
    mutating func handle(_ key: Key, _ effects: inout [Effect]) {
        let contexts = KeyMap.activeContexts(for: self)
        guard let command = keyMap.command(for: key, in: contexts) else {
            if replayPrompt != nil, case .char(let c) = key {
                replayPrompt?.key.append(c)
            } else if filter.editing, case .char(let c) = key {
                insertFilterText(String(c))
            } else if confirmation != nil {
                confirmation = nil
                setStatus("Cancelled")
            }
            return
        }
        perform(command, &effects)
    }

    mutating func perform(_ command: Command, _ effects: inout [Effect]) {
        let layout = self.layout
        if helpVisible {
            performInHelp(command, &effects)
            return
        }
        switch command {
        // Movement: list, detail or stats depending on where the keyboard is.
        case .moveDown, .moveUp, .pageDown, .pageUp, .halfPageDown, .halfPageUp, .top, .bottom:
            move(command, layout: layout, &effects)
        case .focusDetail:
            if screen == .sessions ? sessionDetail != nil : selectedID != nil { focus = .detail }
        case .focusList:
            focus = .list
        case .toggleFocus:
            focus = focus == .list && selectedID != nil ? .detail : .list
        case .nextTab:
            tab = tab.next
            detailScroll = 0
        case .previousTab:
            tab = tab.previous
            detailScroll = 0
        case .showRequests:
            if screen == .sessions { focus = .list }
            screen = .requests
        case .showStats:
            screen = .stats
            statsScroll = 0
        case .showSessions:
            showSessions(&effects)
        case .openTurn:
            openTurn()
        case .toggleMultiTurn:
            toggleMultiTurnOnly(&effects)
        case .startFilter, .clearFilter, .filterAccept, .filterCancel, .filterBackspace, .filterDelete, .filterLeft, .filterRight,
            .filterHome, .filterEnd, .filterClearLine, .filterDeleteWord:
            editFilter(command)
        case .toggleFollow:
            toggleFollow()
        case .togglePause:
            togglePause(&effects)
        case .clear, .confirmYes, .confirmNo:
            confirm(command, &effects)
        case .export:
            if let id = selectedID {
                effects.append(.export(id: id))
                setStatus("Exporting \(id)…")
            } else {
                setStatus("Nothing selected to export", error: true)
            }
        case .exportList:
            exportList(&effects)
        case .replay:
            if let s = selectedSummary {
                replayPrompt = ReplayPrompt(recordID: s.id, variable: ReplayRequest.keyVariable(provider: s.provider))
            } else {
                setStatus("Nothing selected to replay", error: true)
            }
        case .replayKeyAccept:
            if let prompt = replayPrompt {
                effects.append(.replay(id: prompt.recordID, key: prompt.key.isEmpty ? nil : prompt.key))
                setStatus("Replaying \(prompt.recordID)…")
            }
            replayPrompt = nil
        case .replayKeyCancel:
            replayPrompt = nil
            setStatus("Replay cancelled")
        case .replayKeyBackspace:
            if replayPrompt?.key.isEmpty == false { replayPrompt?.key.removeLast() }
        case .closeReplay:
            replayResult = nil
        case .showHelp:
            helpVisible = true
            helpScroll = 0
        case .closeHelp:
            helpVisible = false
        case .quit:
            effects.append(.quit)
        case .sortNext:
            statsSort.column = statsSort.column.next
            statsSort.descending = statsSort.column != .name
        case .sortReverse:
            statsSort.descending.toggle()
        }
    }

    /// `E`: every request the list's filter matches, as CSV in a file named after the time; the status
    /// line says so until the driver reports the file written (or why not).
    private mutating func exportList(_ effects: inout [Effect]) {
        if let running = listExport {
            setStatus("Still exporting to \(running)…")
            return
        }
        let name = ListExport.fileName(at: now, timeZone: timeZone)
        listExport = name
        effects.append(.exportList(filter: filter.isActive ? filter.appliedText : "", fileName: name))
        let what = filter.isActive ? "the requests matching \(filter.appliedText)" : "every request"
        status = StatusMessage(text: "Exporting \(what) to \(name)…")
    }

    /// `c` asks before clearing everything; `y` does it, `n` (or any other key) cancels.
    private mutating func confirm(_ command: Command, _ effects: inout [Effect]) {
        switch command {
        case .clear:
            confirmation = .clearAll
        case .confirmYes:
            if confirmation == .clearAll {
                clearLocal()
                effects.append(.clearAll)
                setStatus("Cleared all records")
            }
            confirmation = nil
        default:
            confirmation = nil
            setStatus("Cancelled")
        }
    }

    /// Keys while the help screen is open: scroll it, close it, or quit.
    private mutating func performInHelp(_ command: Command, _ effects: inout [Effect]) {
        let layout = self.layout
        switch command {
        case .moveDown: helpScroll += 1
        case .moveUp: helpScroll = max(0, helpScroll - 1)
        case .pageDown, .halfPageDown: helpScroll += max(1, layout.body.height - 2)
        case .pageUp, .halfPageUp: helpScroll = max(0, helpScroll - max(1, layout.body.height - 2))
        case .closeHelp: helpVisible = false
        case .quit: effects.append(.quit)
        default: break
        }
    }

    private mutating func move(_ command: Command, layout: Layout, _ effects: inout [Effect]) {
        switch screen {
        case .sessions:
            moveInSessions(command, layout: layout, &effects)
        case .stats:
            let page = max(1, layout.body.height - 1)
            let lines = StatsScreen.lines(self, history: MinuteHistory(state: self), width: layout.body.width - 2)
                .wrapped(to: max(1, layout.body.width - 2)).count
            statsScroll = Self.moved(statsScroll, command, page: page, last: max(0, lines - layout.body.height))
        case .requests where focus == .detail:
            let page = max(1, layout.detail.height)
            let lines = detailLineCount(width: layout.detailTextWidth)
            let maxScroll = max(0, lines - layout.detail.height)
            detailScroll = min(Self.moved(detailScroll, command, page: page, last: maxScroll), maxScroll)
        case .requests:
            guard !visible.isEmpty else { return }
            let page = max(1, layout.listRows)
            let current = selectedID.flatMap { visible.position(of: $0) } ?? 0
            let target = Self.moved(current, command, page: page, last: visible.count - 1)
            if target != current || command == .bottom {
                selectedID = visible[target]
                if target != 0, follow {
                    follow = false
                    setStatus("Follow off")
                }
            }
            // At the end of what is loaded: fetch older requests.
            if target >= visible.count - 1, let cursor = olderCursor, !loadingOlder,
                [.moveDown, .pageDown, .halfPageDown, .bottom].contains(command)
            {
                loadingOlder = true
                effects.append(.loadOlder(cursor: cursor))
            }
        }
    }

    static func moved(_ current: Int, _ command: Command, page: Int, last: Int) -> Int {
        let target: Int
        switch command {
        case .moveDown: target = current + 1
        case .moveUp: target = current - 1
        case .pageDown: target = current + page
        case .pageUp: target = current - page
        case .halfPageDown: target = current + max(1, page / 2)
        case .halfPageUp: target = current - max(1, page / 2)
        case .top: target = 0
        case .bottom: target = last
        default: target = current
        }
        return min(max(0, target), max(0, last))
    }

    mutating func setStatus(_ text: String, error: Bool = false) {
        status = StatusMessage(text: text, isError: error, expiresAt: now.timeIntervalSince1970 + statusSeconds)
    }

    // MARK: After every action

    /// Keeps the selection valid and visible, loads what the screen needs, refreshes the detail lines.
    mutating func settle(selectionBefore: String?, _ effects: inout [Effect]) {
        analytics.normalize()
        let layout = self.layout
        // Selection.
        if visible.isEmpty {
            selectedID = nil
            selectedPosition = 0
            listTop = 0
            if focus == .detail, screen == .requests { focus = .list }
        } else {
            if follow { selectedID = visible[0] }
            if let id = selectedID, let p = visible.position(of: id) {
                selectedPosition = p
            } else {
                selectedPosition = min(max(0, selectedPosition), visible.count - 1)
                selectedID = visible[selectedPosition]
            }
            // Keep the selection on screen (when the list is on screen: its size is known then).
            if layout.listRows > 0 {
                let rows = layout.listRows
                if selectedPosition < listTop { listTop = selectedPosition }
                if selectedPosition >= listTop + rows { listTop = selectedPosition - rows + 1 }
                listTop = min(max(0, listTop), max(0, visible.count - rows))
            }
        }
        if selectedID != selectionBefore {
            detailScroll = 0
            detailRevision &+= 1
        }
        // Fetch the record the detail pane needs.
        if screen == .requests, !layout.detail.isEmpty, let id = selectedID, tab.needsRecord || focus == .detail,
            records[id] == nil, !loadingRecords.contains(id), recordErrors[id] == nil
        {
            loadingRecords.insert(id)
            effects.append(.loadRecord(id: id))
        }
        // The Diff tab's diff.
        if screen == .requests, !layout.detail.isEmpty, tab == .diff, let id = selectedID, diffs[id] == nil, !loadingDiffs.contains(id),
            diffErrors[id] == nil
        {
            loadingDiffs.insert(id)
            effects.append(.loadDiff(id: id))
        }
        refreshDetailCache(layout)
    }
}
