import Foundation
import LLMTraceModel

@testable import TUI

/// Test data and helpers.
enum Fixtures {
    /// 2026-11-29 12:00:00 UTC.
    static let base = Date(timeIntervalSince1970: 1_795_953_600)

    static func id(_ n: Int) -> String {
        let s = String(n, radix: 16)
        return String(repeating: "0", count: max(0, 12 - s.count)) + s + "-00000000"
    }

    static func summary(
        _ n: Int,
        env: String = "dev",
        provider: String? = "openai",
        endpoint: String? = "chat.completions",
        model: String? = "gpt-4o",
        status: Int? = 200,
        stream: Bool = false,
        complete: Bool = true,
        durationMs: Double? = 1200,
        ttftMs: Double? = 300,
        input: Int? = 100,
        output: Int? = 50,
        cached: Int? = nil,
        reasoning: Int? = nil,
        cost: Double? = 0.0015,
        text: String? = "Hello!",
        error: TraceError? = nil,
        toolCalls: [ToolCall] = [],
        startedAt: Date? = nil,
        path: String = "/v1/chat/completions"
    ) -> TraceSummary {
        TraceSummary(
            id: id(n),
            env: env,
            method: "POST",
            scheme: "https",
            host: "api.openai.com",
            path: path,
            provider: provider,
            endpoint: endpoint,
            model: model,
            stream: stream,
            status: status,
            error: error,
            startedAt: startedAt ?? base.addingTimeInterval(Double(n)),
            durationMs: durationMs,
            ttftMs: ttftMs,
            usage: Usage(
                inputTokens: input,
                outputTokens: output,
                cachedInputTokens: cached,
                reasoningTokens: reasoning,
                totalTokens: input.flatMap { i in output.map { i + $0 } }
            ),
            estimatedCost: cost,
            text: text,
            toolCalls: toolCalls,
            finishReason: complete ? "stop" : nil,
            complete: complete
        )
    }

    /// A request in flight (started, nothing back yet).
    static func started(_ n: Int, model: String = "gpt-4o", stream: Bool = true) -> TraceSummary {
        summary(
            n,
            model: model,
            status: nil,
            stream: stream,
            complete: false,
            durationMs: nil,
            ttftMs: nil,
            input: nil,
            output: nil,
            cost: nil,
            text: nil
        )
    }

    static let chatRequestBody = #"""
        {"model":"gpt-4o","stream":true,"messages":[
          {"role":"system","content":"You are terse."},
          {"role":"user","content":"What is the weather in Paris?"},
          {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
          {"role":"tool","tool_call_id":"call_1","content":"{\"temp\":21}"}
        ]}
        """#

    static let sseResponseBody =
        "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"},\"index\":0}],\"id\":\"c1\"}\n\n"
        + "data: {\"choices\":[{\"delta\":{\"content\":\"lo!\"},\"index\":0}],\"id\":\"c1\"}\n\n" + "data: [DONE]\n\n"

    static func record(
        _ summary: TraceSummary,
        requestBody: String = chatRequestBody,
        responseBody: String = sseResponseBody,
        sse: Bool = true
    ) -> TraceRecord {
        TraceRecord(
            summary: summary,
            requestHeaders: [
                HeaderField(name: "content-type", value: "application/json"),
                HeaderField(name: "authorization", value: "<redacted:…abcd>"),
            ],
            responseHeaders: [HeaderField(name: "content-type", value: sse ? "text/event-stream" : "application/json")],
            requestBody: CapturedBody(content: requestBody, encoding: .utf8, size: requestBody.utf8.count, truncated: false),
            responseBody: CapturedBody(content: responseBody, encoding: .utf8, size: responseBody.utf8.count, truncated: false)
        )
    }

    /// A state with `count` completed requests loaded as the first page, sized `width` × `height`.
    static func state(count: Int = 5, width: Int = 120, height: Int = 40, summaries: [TraceSummary]? = nil) -> AppState {
        var state = AppState(
            serverLabel: "http://127.0.0.1:8080",
            now: base.addingTimeInterval(600),
            width: width,
            height: height,
            timeZone: TimeZone(identifier: "UTC")!
        )
        let items = summaries ?? (0..<count).map { summary($0) }
        state.send(.pageLoaded(Page(items: items, nextCursor: nil), replace: true))
        return state
    }
}

extension AppState {
    /// Sends keys one after the other, returning all effects.
    @discardableResult
    mutating func press(_ keys: Key...) -> [Effect] {
        keys.flatMap { send(.key($0)) }
    }

    /// Types text (as char keys).
    @discardableResult
    mutating func type(_ text: String) -> [Effect] {
        text.flatMap { send(.key(.char($0))) }
    }

    func frame(_ width: Int? = nil, _ height: Int? = nil) -> CellGrid {
        Renderer.render(self, width: width ?? self.width, height: height ?? self.height)
    }
}

extension CellGrid {
    /// The first row whose text contains `needle`.
    func rowIndex(containing needle: String) -> Int? {
        (0..<height).first { row($0).contains(needle) }
    }

    /// The column where `needle` starts in row `y` (counting cells).
    func column(of needle: String, inRow y: Int) -> Int? {
        let cells = (0..<width).map { self[$0, y].character }
        for x in 0..<width {
            var s = ""
            var k = x
            while k < width, s.count < needle.count {
                s += cells[k]
                k += 1
            }
            if s.hasPrefix(needle) { return x }
        }
        return nil
    }
}
