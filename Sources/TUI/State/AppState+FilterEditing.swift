import Foundation
import LLMTraceModel

// MARK: - Filter editing

extension AppState {
    /// The filter line's commands: start and clear, accept and cancel, and the line-editing keys.
    mutating func editFilter(_ command: Command) {
        switch command {
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
        default:
            break
        }
    }

    mutating func insertFilterText(_ text: String) {
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
    mutating func rebuildVisible() {
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
}
