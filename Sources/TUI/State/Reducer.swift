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
    case .work:
        state.continueFilter()
    case .event(let payload):
        if state.paused {
            if state.pendingEvents.count >= state.maxPendingEvents {
                state.pendingEvents = []
                state.pendingOverflow = true
            } else if !state.pendingOverflow {
                state.pendingEvents.append(payload)
            }
        } else {
            state.apply(payload, &effects)
        }
    case .connection(let c):
        state.connection = c
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
    case .exported(let id, let path):
        state.setStatus("Exported \(id) to \(path)")
    case .exportFailed(let id, let message):
        state.setStatus("Export of \(id) failed: \(message)", error: true)
    case .clearFailed(let message):
        state.setStatus("Clear failed: \(message)", error: true)
        effects.append(.reload)
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
            if filter.editing, case .char(let c) = key {
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
            switch command {
            case .moveDown: helpScroll += 1
            case .moveUp: helpScroll = max(0, helpScroll - 1)
            case .pageDown, .halfPageDown: helpScroll += max(1, layout.body.height - 2)
            case .pageUp, .halfPageUp: helpScroll = max(0, helpScroll - max(1, layout.body.height - 2))
            case .closeHelp: helpVisible = false
            case .quit: effects.append(.quit)
            default: break
            }
            return
        }
        switch command {
        // Movement: list, detail or stats depending on where the keyboard is.
        case .moveDown, .moveUp, .pageDown, .pageUp, .halfPageDown, .halfPageUp, .top, .bottom:
            move(command, layout: layout, &effects)
        case .focusDetail:
            if selectedID != nil { focus = .detail }
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
            screen = .requests
        case .showStats:
            screen = .stats
            statsScroll = 0
        case .startFilter:
            filter.editing = true
            filter.draft = filter.appliedText
            filter.cursor = filter.draft.count
            filter.error = nil
        case .clearFilter:
            if filter.isActive || !filter.appliedText.isEmpty {
                applyFilter(.all, text: "")
                filter.draft = ""
                setStatus("Filter cleared")
            }
        case .toggleFollow:
            follow.toggle()
            if follow {
                if !visible.isEmpty { selectedID = visible[0] }
                setStatus("Following the newest request (F stops)")
            } else {
                setStatus("Follow off")
            }
        case .togglePause:
            if paused {
                paused = false
                let queued = pendingEvents
                let overflow = pendingOverflow
                pendingEvents = []
                pendingOverflow = false
                if overflow {
                    effects.append(.reload)
                    setStatus("Resumed: too many updates while paused, reloading")
                } else {
                    for p in queued { apply(p, &effects) }
                    setStatus("Resumed: \(queued.count) update\(queued.count == 1 ? "" : "s") applied")
                }
            } else {
                paused = true
                setStatus("Paused: live updates are queued (Z resumes)")
            }
        case .clear:
            confirmation = .clearAll
        case .confirmYes:
            if confirmation == .clearAll {
                clearLocal()
                effects.append(.clearAll)
                setStatus("Cleared all records")
            }
            confirmation = nil
        case .confirmNo:
            confirmation = nil
            setStatus("Cancelled")
        case .export:
            if let id = selectedID {
                effects.append(.export(id: id))
                setStatus("Exporting \(id)…")
            } else {
                setStatus("Nothing selected to export", error: true)
            }
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
        case .filterAccept:
            if let error = filter.error {
                setStatus("The filter is not valid (\(error.message)); fix it or press Esc", error: true)
            } else {
                filter.editing = false
            }
        case .filterCancel:
            filter.editing = false
            filter.draft = ""
            filter.cursor = 0
            filter.error = nil
            applyFilter(.all, text: "")
        case .filterBackspace:
            guard filter.cursor > 0 else { return }
            var chars = Array(filter.draft)
            chars.remove(at: filter.cursor - 1)
            filter.cursor -= 1
            setDraft(String(chars))
        case .filterDelete:
            var chars = Array(filter.draft)
            guard filter.cursor < chars.count else { return }
            chars.remove(at: filter.cursor)
            setDraft(String(chars))
        case .filterLeft:
            filter.cursor = max(0, filter.cursor - 1)
        case .filterRight:
            filter.cursor = min(filter.draft.count, filter.cursor + 1)
        case .filterHome:
            filter.cursor = 0
        case .filterEnd:
            filter.cursor = filter.draft.count
        case .filterClearLine:
            let chars = Array(filter.draft)
            filter.cursor = min(filter.cursor, chars.count)
            let rest = chars[filter.cursor...]
            filter.cursor = 0
            setDraft(String(rest))
        case .filterDeleteWord:
            var chars = Array(filter.draft)
            var i = min(filter.cursor, chars.count)
            let end = i
            while i > 0, chars[i - 1] == " " { i -= 1 }
            while i > 0, chars[i - 1] != " " { i -= 1 }
            chars.removeSubrange(i..<end)
            filter.cursor = i
            setDraft(String(chars))
        }
    }

    private mutating func move(_ command: Command, layout: Layout, _ effects: inout [Effect]) {
        switch screen {
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

    private static func moved(_ current: Int, _ command: Command, page: Int, last: Int) -> Int {
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

    // MARK: Filter editing

    private mutating func insertFilterText(_ text: String) {
        var chars = Array(filter.draft)
        let at = min(filter.cursor, chars.count)
        chars.insert(contentsOf: Array(text), at: at)
        filter.cursor = at + text.count
        setDraft(String(chars))
    }

    /// Sets the draft and applies it when it parses; an invalid draft keeps the last valid filter.
    private mutating func setDraft(_ text: String) {
        filter.draft = text
        filter.cursor = min(filter.cursor, text.count)
        do {
            let expression = try FilterParser.parse(text)
            filter.error = nil
            if expression != filter.expression {
                applyFilter(expression, text: text)
            } else {
                filter.appliedText = text  // the same filter written differently: nothing to redo
            }
        } catch {
            filter.error = error
        }
    }

    /// Puts `expression` in force and rebuilds the list from the summaries held.
    mutating func applyFilter(_ expression: FilterExpression, text: String) {
        filter.expression = expression
        filter.appliedText = text
        rebuildVisible()
    }

    /// Rebuilds the list for the filter in force: at once for "everything", else by a scan of the
    /// summaries held, newest first, ``filterStep`` at a time (the first step right away).
    private mutating func rebuildVisible() {
        filterJob = nil
        let expression = filter.expression
        if expression == .all {
            visible = store.order
            return
        }
        visible = OrderedIDs()
        // Keep the selection where it is if it still matches, even before the scan reaches it.
        if let id = selectedID, let s = store[id], expression.matches(s) { visible.insert(id) }
        filterJob = FilterJob(expression: expression, total: store.count)
        continueFilter()
    }

    /// One step of the filter scan in progress.
    mutating func continueFilter() {
        guard var job = filterJob else { return }
        let start: Int
        if let last = job.lastScanned {
            start = store.order.position(of: last).map { $0 + 1 } ?? store.order.insertionPosition(of: last)
        } else {
            start = 0
        }
        let end = min(store.count, start + max(1, filterStep))
        let ids = start < end ? store.order.ids(in: start..<end) : []
        for id in ids where job.expression.matches(store.byID[id]!) { visible.insert(id) }
        job.scanned += ids.count
        job.lastScanned = ids.last ?? job.lastScanned
        filterJob = end >= store.count ? nil : job
    }

    // MARK: Data

    mutating func apply(_ payload: LiveEvent.Payload, _ effects: inout [Effect]) {
        switch payload {
        case .started(let s):
            upsert(s)
        case .completed(let s):
            upsert(s)
            liveText[s.id] = nil
            recordErrors[s.id] = nil
            if records[s.id] != nil {
                // The stored record is now complete: fetch it again if it is on screen.
                records.remove(s.id)
            }
        case .delta(let d):
            guard !d.text.isEmpty else { return }
            if let s = store[d.id], !AppState.isInFlight(s) { return }
            liveText[d.id, default: ""] += d.text
            if d.id == selectedID {
                detailRevision &+= 1
                // A record loaded as the request started has no body yet: fetch it once more now that the
                // answer streams, so the conversation shows the prompt.
                if let record = records[d.id], record.requestBody == nil, !loadingRecords.contains(d.id),
                    refetchedInFlight.insert(d.id).inserted
                {
                    loadingRecords.insert(d.id)
                    effects.append(.loadRecord(id: d.id))
                }
            }
        case .cleared:
            clearLocal()
        case .stats(let stats):
            serverStats = stats
        case .resync:
            effects.append(.reload)
        }
    }

    /// Inserts or replaces a summary, keeping totals, the filtered list and the view in step.
    mutating func upsert(_ s: TraceSummary) {
        let old = store[s.id]
        if let old, old.complete || old.durationMs != nil, !s.complete, s.durationMs == nil {
            return  // a late "started" must not undo a completion
        }
        store.upsert(s)
        if let old { analytics.remove(old) }
        analytics.add(s, nowMinute: Analytics.minute(of: now))
        let matches = filter.expression.matches(s)
        if old == nil {
            if matches, let p = visible.insert(s.id) { noteInserted(at: p) }
        } else if matches != visible.contains(s.id) {
            if matches {
                if let p = visible.insert(s.id) { noteInserted(at: p) }
            } else if let p = visible.remove(s.id) {
                noteRemoved(at: p)
            }
        }
        if s.id == selectedID { detailRevision &+= 1 }
    }

    /// A row appeared at `p`: keep the rows on screen still unless the view is at the top.
    private mutating func noteInserted(at p: Int) {
        if p < listTop || (p == listTop && listTop > 0) { listTop += 1 }
        if p <= selectedPosition, selectedID != nil { selectedPosition += 1 }
    }

    private mutating func noteRemoved(at p: Int) {
        if p < listTop { listTop -= 1 }
        if p < selectedPosition { selectedPosition -= 1 }
    }

    mutating func applyPage(_ page: Page, replace: Bool) {
        loaded = true
        if replace {
            let keepLive = liveText
            store.replaceAll(with: page.items)
            analytics = Analytics()
            let nowMinute = Analytics.minute(of: now)
            for id in store.order.all { analytics.add(store.byID[id]!, nowMinute: nowMinute) }
            liveText = keepLive.filter { store[$0.key].map(AppState.isInFlight) ?? false }
            olderCursor = page.nextCursor
            rebuildVisible()
            records.removeAll()
            loadingRecords = []
            recordErrors = [:]
            detailRevision &+= 1
        } else {
            for s in page.items { upsert(s) }
            olderCursor = page.nextCursor
            loadingOlder = false
        }
    }

    /// Forgets every record (after `c` + `y`, or a `cleared` event).
    mutating func clearLocal() {
        filterJob = nil
        store.removeAll()
        visible.removeAll()
        liveText = [:]
        records.removeAll()
        loadingRecords = []
        recordErrors = [:]
        analytics = Analytics()
        serverStats = nil
        serverTimeseries = nil
        olderCursor = nil
        loadingOlder = false
        selectedID = nil
        selectedPosition = 0
        listTop = 0
        detailScroll = 0
        detailRevision &+= 1
        if focus == .detail { focus = .list }
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
            if focus == .detail { focus = .list }
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
        // Build the detail lines for this frame size once, not every frame.
        if screen == .requests, !layout.detail.isEmpty, let id = selectedID {
            let width = layout.detailTextWidth
            if detailCache == nil || detailCache!.id != id || detailCache!.tab != tab || detailCache!.width != width
                || detailCache!.revision != detailRevision
            {
                detailCache = DetailCache(
                    id: id, tab: tab, width: width, revision: detailRevision,
                    lines: DetailContent.lines(for: self, id: id, tab: tab, width: width))
            }
            let maxScroll = max(0, detailCache!.lines.count - layout.detail.height)
            detailScroll = min(detailScroll, maxScroll)
        } else {
            detailCache = nil
        }
    }

    /// Lines of the detail pane at `width` (cached when possible).
    func detailLineCount(width: Int) -> Int {
        guard let id = selectedID else { return 0 }
        if let c = detailCache, c.id == id, c.tab == tab, c.width == width, c.revision == detailRevision { return c.lines.count }
        return DetailContent.lines(for: self, id: id, tab: tab, width: width).count
    }

    /// The detail lines for the selection at `width`, from the cache when it matches.
    func detailLines(width: Int) -> [StyledLine] {
        guard let id = selectedID else { return [] }
        if let c = detailCache, c.id == id, c.tab == tab, c.width == width, c.revision == detailRevision { return c.lines }
        return DetailContent.lines(for: self, id: id, tab: tab, width: width)
    }
}
