import Foundation
import LLMTraceModel

// MARK: - Data from the server

extension AppState {
    mutating func apply(_ payload: LiveEvent.Payload, _ effects: inout [Effect]) {
        switch payload {
        case .started(let s), .updated(let s):
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
        case .alert(let alert):
            latestAlert = alert
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
}
