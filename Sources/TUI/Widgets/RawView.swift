import Foundation
import LLMTraceModel

/// The Raw tab: the exchange as text, as it went over the wire (bodies as stored).
enum RawView {
    static func lines(record: TraceRecord, width: Int, theme: Theme) -> [StyledLine] {
        let s = record.summary
        var out: [StyledLine] = []
        var url = "\(s.scheme)://\(s.host)\(s.path)"
        if let q = s.query { url += "?" + q }
        out.append(StyledLine("\(s.method) \(url)", theme.accent))
        for h in record.requestHeaders { out.append(StyledLine("\(h.name): \(h.value)", theme.dim)) }
        out.append(.empty)
        out.append(contentsOf: body(record.requestBody, theme: theme))
        out.append(.empty)
        out.append(StyledLine("HTTP \(s.status.map(String.init) ?? "(no response)")", theme.accent))
        for h in record.responseHeaders { out.append(StyledLine("\(h.name): \(h.value)", theme.dim)) }
        out.append(.empty)
        out.append(contentsOf: body(record.responseBody, theme: theme))
        return out
    }

    static func body(_ body: CapturedBody?, theme: Theme) -> [StyledLine] {
        guard let body else { return [StyledLine("(no body)", theme.dim)] }
        var out = DetailContent.textLines(body.content)
        if body.encoding == .base64 { out.insert(StyledLine("(binary, base64)", theme.dim), at: 0) }
        if body.truncated { out.append(StyledLine("(cut at the capture limit; \(Format.bytes(body.size)) in all)", theme.warning)) }
        return out
    }
}
