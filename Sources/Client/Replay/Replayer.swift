import Foundation
import LLMTraceModel

/// Sends a ``ReplayRequest`` through a server's proxy and waits for the new record.
public struct Replayer: Sendable {
    public let client: LLMTraceClient

    public init(client: LLMTraceClient) {
        self.client = client
    }

    /// What a replay gave: the original and the new summary, once the new one finished.
    public struct Outcome: Sendable, Equatable {
        public var original: TraceSummary
        public var replay: TraceSummary

        public init(original: TraceSummary, replay: TraceSummary) {
            self.original = original
            self.replay = replay
        }
    }

    /// Sends `request` (built from `original`) and returns both summaries. Throws when the proxy did not
    /// record the exchange (no `x-llmtrace-id`), or when the record does not finish within `timeout`.
    public func replay(_ request: ReplayRequest, of original: TraceSummary, timeout: Duration = .seconds(60)) async throws(ClientError) -> Outcome {
        let answer = try await client.proxy(request.pathAndQuery, method: request.method, headers: request.headers, body: request.body)
        guard let id = answer.headers.first(where: { $0.name == "x-llmtrace-id" })?.value else {
            throw .http(
                answer.status,
                "the server answered without recording the replay: \(String(decoding: answer.body.prefix(300), as: UTF8.self))"
            )
        }
        // Saving happens off the request path: wait until the record is there and finished.
        let deadline = ContinuousClock.now + timeout
        while true {
            if let record = try? await client.record(id: id), record.summary.complete || record.summary.durationMs != nil {
                return Outcome(original: original, replay: record.summary)
            }
            guard ContinuousClock.now < deadline else { throw .http(answer.status, "the replay \(id) did not finish within \(timeout)") }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// The original and the replay side by side, as `llmtrace replay` prints them.
public enum ReplayComparison {
    /// Two columns of `width` characters in all: the facts (model, status, tokens, cost, duration), then
    /// both answers wrapped.
    public static func render(_ outcome: Replayer.Outcome, width: Int = 100) -> String {
        let column = max(20, (width - 3) / 2)
        let (a, b) = (outcome.original, outcome.replay)
        func facts(_ s: TraceSummary) -> [String] {
            [
                s.id,
                "model   \(s.model ?? "?")",
                "status  \(s.status.map(String.init) ?? "–")\(s.error.map { " \($0.type)" } ?? "")",
                "tokens  \(s.usage.inputTokens.map(String.init) ?? "?") in, \(s.usage.outputTokens.map(String.init) ?? "?") out",
                "cost    \(s.estimatedCost.map { String(format: "$%.6f", $0) } ?? "–")",
                "time    \(s.durationMs.map { String(format: "%.0f ms", $0) } ?? "–")",
                "",
            ]
        }
        func answer(_ s: TraceSummary) -> [String] {
            var text = s.text ?? ""
            for call in s.toolCalls { text += (text.isEmpty ? "" : "\n") + "→ \(call.name)(\(call.arguments))" }
            if text.isEmpty { text = s.error?.message ?? "(no text)" }
            return wrap(text, width: column)
        }
        let left = facts(a) + answer(a)
        let right = facts(b) + answer(b)
        var lines = [
            pad("original", column) + " │ " + "replay", String(repeating: "─", count: column) + "─┼─" + String(repeating: "─", count: column),
        ]
        for i in 0..<max(left.count, right.count) {
            lines.append(pad(i < left.count ? left[i] : "", column) + " │ " + (i < right.count ? right[i] : ""))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? String(s.prefix(width)) : s + String(repeating: " ", count: width - s.count)
    }

    /// `text` in lines of at most `width` characters, broken at spaces where it can.
    static func wrap(_ text: String, width: Int) -> [String] {
        var out: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: false) {
                var word = Substring(word)
                while word.count > width {
                    if !line.isEmpty {
                        out.append(line)
                        line = ""
                    }
                    out.append(String(word.prefix(width)))
                    word = word.dropFirst(width)
                }
                if line.isEmpty {
                    line = String(word)
                } else if line.count + 1 + word.count <= width {
                    line += " " + word
                } else {
                    out.append(line)
                    line = String(word)
                }
            }
            out.append(line)
        }
        return out
    }
}
