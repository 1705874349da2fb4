import Foundation
import LLMTraceModel

/// The Headers tab: request and response headers (secrets arrive redacted).
enum HeadersView {
    static func lines(record: TraceRecord, width: Int, theme: Theme) -> [StyledLine] {
        var out: [StyledLine] = []
        let all = record.requestHeaders + record.responseHeaders
        let nameWidth = min(max(4, all.map { TextMeasure.width($0.name) }.max() ?? 4), max(8, width / 3))
        func section(_ title: String, _ headers: [HeaderField]) {
            out.append(StyledLine("\(title) (\(headers.count))", theme.accent))
            if headers.isEmpty { out.append(StyledLine("  none", theme.dim)) }
            for h in headers {
                var line = StyledLine("  " + TextMeasure.pad(h.name, to: nameWidth) + "  ", theme.label)
                line.append(h.value, h.value.hasPrefix("<redacted") ? theme.dim : theme.text)
                out.append(contentsOf: line.wrapped(to: width, continuationIndent: nameWidth + 4))
            }
        }
        section("Request headers", record.requestHeaders)
        out.append(.empty)
        var status = "Response headers"
        if let code = record.summary.status { status += " · HTTP \(code)" }
        section(status, record.responseHeaders)
        return out
    }
}
