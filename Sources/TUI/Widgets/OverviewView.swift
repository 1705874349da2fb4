import Foundation
import LLMTraceModel

/// The Overview tab: every field, the usage and cost breakdown, tool calls, body sizes.
enum OverviewView {
    static func lines(summary s: TraceSummary, record: TraceRecord?, state: AppState, width: Int) -> [StyledLine] {
        let theme = state.theme
        var out: [StyledLine] = []
        func add(_ label: String, _ value: String, _ style: Style? = nil) {
            out.append(DetailContent.field(label, value, theme: theme, style: style))
        }
        add("ID", s.id)
        add("Started", Format.timestamp(s.startedAt, zone: state.timeZone))
        add("Environment", s.env)
        var url = "\(s.scheme)://\(s.host)\(s.path)"
        if let q = s.query { url += "?" + q }
        add("Request", "\(s.method) \(url)")
        add("Provider", [s.provider ?? "unknown", s.endpoint].compactMap { $0 }.joined(separator: " · "))
        add("Model", s.model ?? Format.unknown)
        add("Stream", s.stream ? "yes" : "no")
        let statusText: String
        var statusStyle: Style? = nil
        if AppState.isInFlight(s) {
            statusText = s.status.map { "\($0), \(s.stream ? "streaming" : "receiving")…" } ?? "waiting for the upstream…"
            statusStyle = theme.spinner
        } else {
            var t = s.status.map(String.init) ?? Format.unknown
            if !s.complete { t += " (cut off)" }
            statusText = t
            statusStyle = s.isError ? theme.error : theme.success
        }
        add("Status", statusText, statusStyle)
        if let e = s.error { add("Error", "\(e.type): \(e.message)", theme.error) }
        if AppState.isInFlight(s) {
            add("Duration", Format.duration(state.elapsedMs(s)) + " so far", theme.spinner)
        } else {
            add("Duration", Format.duration(s.durationMs))
        }
        add("TTFT", Format.duration(s.ttftMs))
        add("Finish", s.finishReason ?? Format.unknown)
        out.append(.empty)

        out.append(StyledLine("Usage", theme.accent))
        let u = s.usage
        var input = Format.grouped(u.inputTokens)
        var inputParts: [String] = []
        if let c = u.cachedInputTokens { inputParts.append("cached \(Format.grouped(c))") }
        if let c = u.cacheCreationTokens { inputParts.append("cache write \(Format.grouped(c))") }
        if !inputParts.isEmpty { input += "  (" + inputParts.joined(separator: " · ") + ")" }
        add("  Input", input)
        var output = Format.grouped(u.outputTokens)
        if let r = u.reasoningTokens { output += "  (reasoning \(Format.grouped(r)))" }
        add("  Output", output)
        add("  Total", Format.grouped(u.totalTokens ?? (u.isKnown ? GroupTotals.tokens(u) : nil)))
        let costText: String
        if let cost = s.estimatedCost {
            costText = Format.cost(cost)
        } else if AppState.isInFlight(s) {
            costText = "known when the response ends"
        } else if s.model == nil || !u.isKnown {
            costText = Format.unknown
        } else {
            costText = "unknown (no price for this model)"
        }
        add("Cost", costText)

        if !s.toolCalls.isEmpty {
            out.append(.empty)
            out.append(StyledLine("Tool calls", theme.accent))
            for call in s.toolCalls {
                var line = StyledLine("  ⚙ " + call.name, theme.roleTool)
                if let type = call.type, type != ToolCall.functionType { line.append(" [\(type)]", theme.dim) }  // a provider-run tool
                line.append(" ")
                line.append(call.arguments, theme.dim)
                out.append(line)
            }
        }
        if let answer = state.answerText(for: s), !answer.isEmpty {
            out.append(.empty)
            out.append(StyledLine(AppState.isInFlight(s) ? "Answer so far" : "Answer", theme.accent))
            for l in DetailContent.textLines(answer, limit: 12) { out.append(StyledLine([Span("  ")] + l.spans)) }
            if answer.split(separator: "\n", omittingEmptySubsequences: false).count > 12 {
                out.append(StyledLine("  … (the Conversation tab has all of it)", theme.dim))
            }
        }
        if let record {
            out.append(.empty)
            out.append(StyledLine("Bodies", theme.accent))
            add("  Request", bodyDescription(record.requestBody, headers: record.requestHeaders))
            add("  Response", bodyDescription(record.responseBody, headers: record.responseHeaders))
        }
        return out
    }

    static func bodyDescription(_ body: CapturedBody?, headers: [HeaderField]) -> String {
        guard let body else { return "none" }
        var parts = [Format.bytes(body.size)]
        if let ct = headers.first(where: { $0.name.lowercased() == "content-type" })?.value { parts.append(ct) }
        if let coding = body.decodedFrom { parts.append("decoded from \(coding)") }
        if body.encoding == .base64 { parts.append("binary") }
        if body.truncated { parts.append("truncated") }
        return parts.joined(separator: " · ")
    }
}
