import Foundation
import LLMTraceModel

/// The Diff tab: what a request changed since the previous turn of its session, like a code diff:
/// added messages in green with `+`, removed ones in red with `-`, then system prompt, tools and
/// parameters.
enum DiffView {
    static func lines(summary: TraceSummary, state: AppState, width: Int) -> [StyledLine] {
        let theme = state.theme
        guard let diff = state.diffs[summary.id] else {
            if let error = state.diffErrors[summary.id] { return [StyledLine("Could not load the diff: \(error)", theme.error)] }
            return [StyledLine("Loading…", theme.dim)]
        }
        var out: [StyledLine] = []
        let this = summary.sessionId.map { id in (summary.turn.map { "turn \($0) of " } ?? "") + "session \(id)" } ?? "in no session"
        out.append(DetailContent.field("This request", this, theme: theme))
        if let previous = diff.previousId {
            out.append(DetailContent.field("Compared with", "\(previous), the turn before", theme: theme))
        } else {
            out.append(DetailContent.field("Compared with", "nothing: no turn before it, so every message is new", theme: theme))
        }
        out.append(DetailContent.field("Kept", "\(diff.commonMessages) message\(diff.commonMessages == 1 ? "" : "s") as before", theme: theme))
        if diff.previousId != nil, diff.onlyAppended {
            out.append(DetailContent.field("Otherwise", "nothing changed: same system prompt, tools and parameters", theme: theme, style: theme.dim))
        }
        let added = Style(fg: .palette(114))
        let removed = Style(fg: .palette(203))
        func messages(_ list: [TurnDiff.Message], sign: String, style: Style, title: String) {
            guard !list.isEmpty else { return }
            out.append(.empty)
            out.append(StyledLine(title, theme.accent))
            for m in list {
                var head = StyledLine("\(sign) #\(m.index) ", style)
                head.append(m.role.isEmpty ? "item" : m.role, roleStyle(m.role, theme))
                out.append(head)
                for line in DetailContent.textLines(m.text, style: style, limit: 200) {
                    out.append(contentsOf: prefixed("\(sign)   ", line, style).wrapped(to: width, continuationIndent: 4))
                }
            }
        }
        messages(diff.removed, sign: "-", style: removed, title: "Removed (the history was rewritten)")
        messages(diff.added, sign: "+", style: added, title: "Added")
        if let system = diff.system {
            out.append(.empty)
            out.append(StyledLine("System prompt changed", theme.accent))
            for line in DetailContent.textLines(system.before, style: removed, limit: 50) { out.append(prefixed("- ", line, removed)) }
            for line in DetailContent.textLines(system.after, style: added, limit: 50) { out.append(prefixed("+ ", line, added)) }
        }
        if !diff.toolsAdded.isEmpty || !diff.toolsRemoved.isEmpty || !diff.toolsChanged.isEmpty {
            out.append(.empty)
            out.append(StyledLine("Tools", theme.accent))
            for t in diff.toolsAdded { out.append(StyledLine("+ \(t)", added)) }
            for t in diff.toolsRemoved { out.append(StyledLine("- \(t)", removed)) }
            for t in diff.toolsChanged { out.append(StyledLine("~ \(t) (definition changed)", theme.warning)) }
        }
        if !diff.parameters.isEmpty {
            out.append(.empty)
            out.append(StyledLine("Parameters", theme.accent))
            for p in diff.parameters {
                var line = StyledLine(TextMeasure.pad(p.name, to: 16), theme.label)
                line.append(p.before, removed)
                line.append(" → ", theme.dim)
                line.append(p.after, added)
                out.append(line)
            }
        }
        return out
    }

    /// `line` after `prefix` in `style`.
    static func prefixed(_ prefix: String, _ line: StyledLine, _ style: Style) -> StyledLine {
        StyledLine([Span(prefix, style)] + line.spans)
    }

    static func roleStyle(_ role: String, _ theme: Theme) -> Style {
        switch role {
        case "system", "developer": theme.roleSystem
        case "user": theme.roleUser
        case "assistant", "model": theme.roleAssistant
        default: theme.roleTool
        }
    }
}
