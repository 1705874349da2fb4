import Foundation
import LLMTraceModel
import StreamDecoding

/// The Request and Response tabs: pretty JSON, a stream's events one by one, or text.
public enum BodyView {
    public static func lines(_ body: CapturedBody?, headers: [HeaderField], width: Int, theme: Theme, what: String) -> [StyledLine] {
        guard let body, body.size > 0 || !body.content.isEmpty else { return [StyledLine("No \(what) body.", theme.dim)] }
        var out: [StyledLine] = []
        if body.truncated {
            out.append(
                StyledLine(
                    "Body cut at the capture limit: \(Format.bytes(body.content.utf8.count)) of \(Format.bytes(body.size)) stored.",
                    theme.warning
                )
            )
        }
        guard let text = body.text else {
            out.append(StyledLine("Binary body, \(Format.bytes(body.size)) (the Raw tab shows it as base64).", theme.dim))
            return out
        }
        let contentType = headers.first(where: { $0.name.lowercased() == "content-type" })?.value.lowercased() ?? ""
        if contentType.contains("event-stream") || looksLikeSSE(text) {
            out.append(contentsOf: sseLines(text, width: width, theme: theme))
        } else if contentType.contains("ndjson") || contentType.contains("jsonl") {
            out.append(contentsOf: ndjsonLines(text, width: width, theme: theme) ?? DetailContent.textLines(text))
        } else if let json = JSONView.lines(text, width: width, theme: theme) {
            out.append(contentsOf: json)
        } else if let nd = ndjsonLines(text, width: width, theme: theme) {
            out.append(contentsOf: nd)
        } else {
            out.append(contentsOf: DetailContent.textLines(text))
        }
        return out
    }

    static func looksLikeSSE(_ text: String) -> Bool {
        let head = text.prefix(64)
        return head.hasPrefix("data:") || head.hasPrefix("event:") || head.hasPrefix(": ") || head.hasPrefix("id:")
    }

    /// A streamed body as its events: `#n event-name` then the data as one line of coloured JSON.
    public static func sseLines(_ text: String, width: Int, theme: Theme) -> [StyledLine] {
        var decoder = SSEDecoder()
        var events = decoder.feed(Array(text.utf8))
        if let last = decoder.finish() { events.append(last) }
        var out: [StyledLine] = [StyledLine("\(events.count) server-sent event\(events.count == 1 ? "" : "s")", theme.dim)]
        for (i, e) in events.enumerated() {
            if out.count > JSONView.maxLines {
                out.append(StyledLine("… \(events.count - i) more events not shown (see the Raw tab)", theme.dim))
                break
            }
            var head = StyledLine("#\(i + 1) ", theme.dim)
            head.append(e.event ?? "message", theme.accent)
            if let id = e.id { head.append("  id \(id)", theme.dim) }
            out.append(head)
            out.append(contentsOf: dataLines(e.data, width: width, theme: theme))
        }
        return out
    }

    /// NDJSON (Ollama streams): each line as one coloured JSON line; `nil` when some line is not JSON.
    static func ndjsonLines(_ text: String, width: Int, theme: Theme) -> [StyledLine]? {
        let rows = text.split(whereSeparator: \.isNewline).filter { !$0.allSatisfy(\.isWhitespace) }
        guard rows.count > 1 else { return nil }
        var out: [StyledLine] = [StyledLine("\(rows.count) JSON lines", theme.dim)]
        for (i, row) in rows.enumerated() {
            guard let value = JSONView.parse(String(row)) else { return nil }
            if out.count > JSONView.maxLines {
                out.append(StyledLine("… \(rows.count - i) more lines not shown (see the Raw tab)", theme.dim))
                break
            }
            out.append(StyledLine("#\(i + 1)", theme.dim))
            out.append(
                contentsOf: StyledLine([Span("  ")] + JSONView.compactLine(value: value, theme: theme).spans).wrapped(
                    to: width,
                    continuationIndent: 2
                )
            )
        }
        return out
    }

    static func dataLines(_ data: String, width: Int, theme: Theme) -> [StyledLine] {
        if let value = JSONView.parse(data) {
            return StyledLine([Span("  ")] + JSONView.compactLine(value: value, theme: theme).spans).wrapped(to: width, continuationIndent: 2)
        }
        return DetailContent.textLines(data).map { StyledLine([Span("  ")] + $0.spans) }.wrapped(to: width, continuationIndent: 2)
    }
}
