import Foundation
import LLMTraceModel
import Server

/// Records written straight into a SQLite file through the real `SQLiteStore.save` (as the store tests
/// and bench's store-gen do), for a test that needs many records in a file the binary then serves,
/// rather than proxying each of them.
enum SeededStore {
    /// Writes `count` records of ``record(_:start:spacing:)`` into the SQLite file at `path` (created if
    /// needed), `batch` per transaction, and closes it.
    static func seed(_ path: String, count: Int, start: Date = defaultStart, spacing: TimeInterval = 1, batch: Int = 2_000) async throws {
        let store = try SQLiteStore(path: path)
        var i = 0
        while i < count {
            let end = min(count, i + batch)
            try await store.save((i..<end).map { record($0, start: start, spacing: spacing) })
            i = end
        }
        try await store.close()
    }

    /// Writes `records` into the SQLite file at `path` and closes it.
    static func seed(_ path: String, records: [TraceRecord]) async throws {
        let store = try SQLiteStore(path: path)
        try await store.save(records)
        try await store.close()
    }

    /// 2026-11-01T00:00:00Z.
    static let defaultStart = Date(timeIntervalSince1970: 1_793_491_200)

    static let models: [(provider: String?, endpoint: String?, model: String?)] = [
        ("openai", "chat.completions", "gpt-4o-2024-08-06"),
        ("anthropic", "messages", "claude-sonnet-4-5-20250929"),
        ("gemini", "generateContent", "gemini-2.5-pro"),
        (nil, nil, nil),
    ]

    /// Answers that exercise CSV quoting, the formula guard, line breaks and non-ASCII text.
    static let texts: [String?] = [
        "A plain answer.",
        "Commas, \"quotes\" and\na line break",
        "=SUM(A1:A9) looks like a formula",
        "-1 starts with a minus",
        "Grüße, 你好 🌍 — ünïcödé",
        "",
        nil,
        "trailing CR\r\nand CRLF\r\n",
    ]

    /// Record `i`, started `i × spacing` seconds after `start`: the id sorts by that time, and every
    /// field varies (some unknown), so an export of these has every kind of cell.
    static func record(_ i: Int, start: Date = defaultStart, spacing: TimeInterval = 1) -> TraceRecord {
        let startedAt = start.addingTimeInterval(Double(i) * spacing)
        let (provider, endpoint, model) = models[i % models.count]
        let failed = i % 17 == 0
        let unreachable = i % 101 == 0
        var s = TraceSummary(
            id: String(format: "%012llx-%08x", UInt64(startedAt.timeIntervalSince1970 * 1000), UInt32(i)),
            env: ["prod", "dev", "batch"][i % 3],
            method: "POST",
            scheme: "https",
            host: provider.map { "api.\($0).com" } ?? "llm.internal",
            path: "/v1/chat/completions",
            query: i % 7 == 0 ? "a=1&b=x,y" : nil,
            provider: provider,
            endpoint: endpoint,
            model: model,
            stream: i % 2 == 0,
            status: unreachable ? nil : failed ? 429 : 200,
            error: unreachable
                ? TraceError(type: "upstream_unreachable", message: "connect ECONNREFUSED, \"127.0.0.1\"")
                : failed ? TraceError(type: "rate_limit_error", message: "Rate limit reached") : nil,
            startedAt: startedAt
        )
        s.durationMs = i % 13 == 0 ? nil : Double(50 + i % 4_000) + 0.25
        s.ttftMs = s.stream ? Double(20 + i % 900) + 0.5 : nil
        if !unreachable {
            let input = 10 + i % 5_000
            let output = i % 11 == 0 ? nil : 1 + i % 800
            s.usage = Usage(
                inputTokens: input,
                outputTokens: output,
                cachedInputTokens: i % 4 == 0 ? input / 2 : nil,
                cacheCreationTokens: i % 9 == 0 ? 3 : nil,
                reasoningTokens: i % 5 == 0 ? (output ?? 0) / 3 : nil,
                totalTokens: input + (output ?? 0)
            )
            s.estimatedCost = model == nil ? nil : Double(input) * 0.000_002_5 + Double(output ?? 0) * 0.000_01
        }
        s.text = failed || unreachable ? nil : texts[i % texts.count].map { $0.isEmpty ? $0 : "\($0) #\(i)" }
        s.finishReason = failed || unreachable ? nil : "stop"
        s.complete = i % 23 != 0
        // Agent runs of up to 40 turns, some records in none, a few replays.
        if i % 17 != 3 {
            s.sessionId = "run-\(i / 40)"
            s.turn = i % 40 + 1
        }
        if i % 97 == 5 { s.replayOf = String(format: "%012x-%08x", 1_795_000_000_000, i) }
        return TraceRecord(summary: s)
    }
}
