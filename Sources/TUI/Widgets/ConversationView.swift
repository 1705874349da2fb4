import Foundation
import LLMTraceModel

/// The Conversation tab: the request's messages as blocks per role (a coloured bar and a title),
/// then the assistant's answer from the summary (text and tool calls), growing live while it streams.
public enum ConversationView {
    public static func lines(summary s: TraceSummary, record: TraceRecord?, state: AppState, width: Int) -> [StyledLine] {
        let theme = state.theme
        var out: [StyledLine] = []
        if let record {
            let messages = record.requestBody?.text.map(ConversationParser.messages(fromRequestBody:)) ?? []
            if messages.isEmpty {
                out.append(StyledLine("No messages found in the request body (the Request tab shows it).", theme.dim))
                out.append(.empty)
            }
            for m in messages {
                out.append(contentsOf: block(for: m, theme: theme, width: width))
                out.append(.empty)
            }
        } else if let error = state.recordErrors[s.id] {
            out.append(StyledLine("Could not load the request: \(error)", theme.error))
            out.append(.empty)
        } else {
            out.append(StyledLine("Loading the request…", theme.dim))
            out.append(.empty)
        }
        // The answer, from the summary and the live stream.
        let inFlight = AppState.isInFlight(s)
        var answer: [ChatBlock] = []
        if let text = state.answerText(for: s), !text.isEmpty { answer.append(.text(text)) }
        for call in s.toolCalls { answer.append(.toolCall(name: call.name, arguments: call.arguments, id: call.id)) }
        if !answer.isEmpty || inFlight {
            var title = "assistant"
            if inFlight { title += " · streaming…" } else if let f = s.finishReason { title += " · \(f)" }
            if answer.isEmpty { answer.append(.text("…")) }
            out.append(contentsOf: block(for: ChatMessage(role: .assistant, blocks: answer), title: title, theme: theme, width: width))
        }
        if let e = s.error {
            if !answer.isEmpty || inFlight { out.append(.empty) }
            out.append(
                contentsOf: bar(
                    title: "error",
                    style: theme.error,
                    body: DetailContent.textLines("\(e.type): \(e.message)", style: theme.error),
                    width: width
                )
            )
        } else if answer.isEmpty, !inFlight, s.isError {
            out.append(contentsOf: bar(title: "error", style: theme.error, body: [StyledLine("HTTP \(s.status ?? 0)", theme.error)], width: width))
        }
        return out
    }

    static func style(for role: ChatRole, theme: Theme) -> Style {
        switch role {
        case .system: theme.roleSystem
        case .user: theme.roleUser
        case .assistant: theme.roleAssistant
        case .tool: theme.roleTool
        case .other: theme.label
        }
    }

    /// One message as a block: a title line and its content behind a coloured bar.
    static func block(for m: ChatMessage, title: String? = nil, theme: Theme, width: Int) -> [StyledLine] {
        let roleStyle = style(for: m.role, theme: theme)
        var body: [StyledLine] = []
        var heading = title ?? m.role.title
        if title == nil, m.blocks.allSatisfy({ if case .toolCall = $0 { true } else { false } }), !m.blocks.isEmpty {
            heading += " · tool call"
        }
        for b in m.blocks {
            switch b {
            case .text(let t):
                body.append(contentsOf: DetailContent.textLines(t))
            case .thinking(let t):
                body.append(StyledLine("thinking:", theme.dim.bolded()))
                body.append(contentsOf: DetailContent.textLines(t, style: theme.dim))
            case .toolCall(let name, let arguments, let id):
                var line = StyledLine("⚙ " + name, theme.roleTool)
                if let id { line.append("  " + id, theme.dim) }
                body.append(line)
                if let value = JSONView.parse(arguments), !(value is String) {
                    body.append(contentsOf: JSONView.lines(value: value, width: width - 4, theme: theme).map { StyledLine([Span("  ")] + $0.spans) })
                } else if !arguments.isEmpty {
                    body.append(contentsOf: DetailContent.textLines(arguments).map { StyledLine([Span("  ")] + $0.spans) })
                }
            case .toolResult(let name, let content, let isError):
                var line = StyledLine("↳ result", theme.roleTool)
                if let name { line.append(" of " + name, theme.dim) }
                if isError { line.append(" (error)", theme.error) }
                body.append(line)
                if let value = JSONView.parse(content), !(value is String) {
                    body.append(contentsOf: JSONView.lines(value: value, width: width - 4, theme: theme).map { StyledLine([Span("  ")] + $0.spans) })
                } else {
                    body.append(contentsOf: DetailContent.textLines(content).map { StyledLine([Span("  ")] + $0.spans) })
                }
            case .media(let what):
                body.append(StyledLine("[\(what)]", theme.dim))
            }
        }
        if body.isEmpty { body.append(StyledLine("(empty)", theme.dim)) }
        return bar(title: heading, style: roleStyle, body: body, width: width)
    }

    /// `▌ title` then each body line behind `▌ `, wrapped inside the bar.
    static func bar(title: String, style: Style, body: [StyledLine], width: Int) -> [StyledLine] {
        let barStyle = Style(fg: style.fg)
        var out: [StyledLine] = [StyledLine([Span("▌ ", barStyle), Span(title, style)])]
        for line in body {
            for piece in line.wrapped(to: max(1, width - 2)) {
                out.append(StyledLine([Span("▌ ", barStyle)] + piece.spans))
            }
        }
        return out
    }
}
