import Foundation
import LLMTraceModel

/// The lines of the detail pane for one request and tab, wrapped to a width. The text view scrolls them.
public enum DetailContent {
    public static func lines(for state: AppState, id: String, tab: DetailTab, width: Int) -> [StyledLine] {
        let theme = state.theme
        guard let summary = state.store[id] else { return [StyledLine("Request \(id) is no longer held.", theme.dim)] }
        let record = state.records[id]
        let lines: [StyledLine]
        switch tab {
        case .overview:
            lines = OverviewView.lines(summary: summary, record: record, state: state, width: width)
        case .conversation:
            lines = ConversationView.lines(summary: summary, record: record, state: state, width: width)
        case .diff:
            lines = DiffView.lines(summary: summary, state: state, width: width)
        case .request:
            if let record {
                lines = BodyView.lines(record.requestBody, headers: record.requestHeaders, width: width, theme: theme, what: "request")
            } else {
                lines = placeholder(state, id)
            }
        case .response:
            if let record {
                var l = BodyView.lines(record.responseBody, headers: record.responseHeaders, width: width, theme: theme, what: "response")
                if AppState.isInFlight(summary) {
                    l.insert(StyledLine("Still streaming: the body below is what had arrived when it was loaded.", theme.warning), at: 0)
                }
                lines = l
            } else {
                lines = placeholder(state, id)
            }
        case .headers:
            lines = record.map { HeadersView.lines(record: $0, width: width, theme: theme) } ?? placeholder(state, id)
        case .raw:
            lines = record.map { RawView.lines(record: $0, width: width, theme: theme) } ?? placeholder(state, id)
        }
        return lines.wrapped(to: width)
    }

    static func placeholder(_ state: AppState, _ id: String) -> [StyledLine] {
        if let error = state.recordErrors[id] { return [StyledLine("Could not load the record: \(error)", state.theme.error)] }
        return [StyledLine("Loading…", state.theme.dim)]
    }

    /// A `label  value` line with the label padded to `labelWidth`.
    static func field(_ label: String, _ value: String, theme: Theme, labelWidth: Int = 14, style: Style? = nil) -> StyledLine {
        var line = StyledLine(TextMeasure.pad(label, to: labelWidth), theme.label)
        line.append(value, style ?? theme.text)
        return line
    }

    /// Text split into lines with tabs expanded.
    static func textLines(_ text: String, style: Style = .plain, limit: Int = JSONView.maxLines) -> [StyledLine] {
        var out: [StyledLine] = []
        var count = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            count += 1
            if count > limit { break }
            out.append(StyledLine(TextMeasure.expandTabs(line), style))
        }
        if count > limit {
            let total = text.reduce(0) { $1 == "\n" ? $0 + 1 : $0 } + 1
            out.append(StyledLine("… \(total - limit) more lines not shown", Theme.standard.dim))
        }
        return out
    }
}
