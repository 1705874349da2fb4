import Foundation
import LLMTraceModel
import Testing

@testable import TUI

@Suite struct RequestsScreenTests {
    @Test func listShowsRowsWithColumns() {
        var state = Fixtures.state(summaries: [
            Fixtures.summary(
                1,
                env: "prod",
                provider: "anthropic",
                endpoint: "messages",
                model: "claude-sonnet-4",
                durationMs: 2500,
                ttftMs: 450,
                input: 12_345,
                output: 678,
                cost: 0.0421
            ),
            Fixtures.summary(2, status: 500, error: TraceError(type: "upstream_failed", message: "boom")),
        ])
        state.send(.connection(.live))
        let frame = state.frame()
        let header = frame.rowIndex(containing: "time")!
        for title in ["time", "env", "provider", "model", "endpoint", "status", "duration", "ttft", "in", "out", "cost"] {
            #expect(frame.row(header).contains(title))
        }
        let y = frame.rowIndex(containing: "claude-sonnet-4")!
        let row = frame.row(y)
        #expect(row.contains("12:00:01"))
        #expect(row.contains("prod"))
        #expect(row.contains("anthropic"))
        #expect(row.contains("messages"))
        #expect(row.contains("200"))
        #expect(row.contains("2.50s"))
        #expect(row.contains("450ms"))
        #expect(row.contains("12.3k"))
        #expect(row.contains("678"))
        #expect(row.contains("$0.0421"))
        // The error row is red and selected (newest first), shown reversed.
        let ey = frame.rowIndex(containing: "500")!
        #expect(ey == header + 1)
        let x = frame.column(of: "500", inRow: ey)!
        #expect(frame[x, ey].style.fg == state.theme.error.fg)
        #expect(frame[x, ey].style.reverse)
        #expect(!frame[x, y].style.reverse)
        // Totals in the header.
        #expect(frame.row(1).contains("2 requests"))
        #expect(frame.row(1).contains("$0.0436"))
    }

    @Test func inFlightRowsSpin() {
        var state = Fixtures.state(count: 1)
        state.send(.event(.started(Fixtures.started(9))))
        let y = state.frame().rowIndex(containing: "12:00:09")!
        let first = state.frame().row(y)
        #expect(first.contains(RequestTable.spinner[state.tick % 10]))
        state.send(.tick(state.now.addingTimeInterval(0.1)))
        let second = state.frame().row(y)
        #expect(second.contains(RequestTable.spinner[state.tick % 10]))
        #expect(first != second)
        #expect(state.frame().row(1).contains("1 streaming"))
    }

    @Test func wideCharactersAreCutCleanlyInTheTable() {
        let state = Fixtures.state(width: 100, summaries: [Fixtures.summary(1, env: "本番環境テスト", model: "模型-中文-非常长的名字-测试-测试-测试-测试-测试-测试-测试-测试-测试")])
        let frame = state.frame()
        let y = frame.rowIndex(containing: "12:00:01")!
        let row = frame.row(y)
        #expect(row.contains("本番環境…"))
        #expect(row.contains("…"))
        // Every wide character is whole: a continuation always follows a wide character.
        for x in 0..<frame.width where frame[x, y].isContinuation {
            #expect(x > 0 && DisplayWidth.of(Character(frame[x - 1, y].character)) == 2)
        }
        #expect(TextMeasure.width(row) == frame.width)
    }

    @Test func narrowTerminalsDropColumns() {
        let cols = RequestTable.columns(for: 60).map(\.0)
        #expect(cols.contains(.model) && cols.contains(.status) && cols.contains(.time))
        #expect(!cols.contains(.endpoint))
        let state = Fixtures.state(width: 60, height: 20)
        #expect(state.frame().plainText.split(separator: "\n").allSatisfy { TextMeasure.width($0) <= 60 })
    }

    static func detailFrame(tab: DetailTab, record: TraceRecord? = nil, summary: TraceSummary? = nil) -> (AppState, CellGrid) {
        let s = summary ?? Fixtures.summary(1, stream: true, text: "It is 21°C in Paris.")
        var state = Fixtures.state(width: 110, height: 100, summaries: [s])
        for _ in 0..<tab.rawValue { state.press(.char("]")) }
        state.send(.recordLoaded(record ?? Fixtures.record(s)))
        return (state, state.frame())
    }

    @Test func tabsBarHighlightsTheActiveTab() {
        let (state, frame) = Self.detailFrame(tab: .conversation)
        let y = frame.rowIndex(containing: "Overview")!
        for t in DetailTab.allCases { #expect(frame.row(y).contains(t.title)) }
        let x = frame.column(of: "Conversation", inRow: y)!
        #expect(frame[x, y].style.bg == state.theme.tabActive.bg)
        let o = frame.column(of: "Overview", inRow: y)!
        #expect(frame[o, y].style == state.theme.tabInactive)
    }

    @Test func overviewTab() {
        var s = Fixtures.summary(
            1,
            cached: 80,
            reasoning: 20,
            toolCalls: [ToolCall(id: "c1", name: "get_weather", arguments: "{\"city\":\"Paris\"}")]
        )
        s.query = "api-version=2024"
        let (_, frame) = Self.detailFrame(tab: .overview, summary: s)
        let text = frame.plainText
        #expect(text.contains("ID            \(Fixtures.id(1))"))
        #expect(text.contains("Started       2026-11-29 12:00:01.000"))
        #expect(text.contains("POST https://api.openai.com/v1/chat/completions?api-version=2024"))
        #expect(text.contains("openai · chat.completions"))
        #expect(text.contains("Input       100  (cached 80)"))
        #expect(text.contains("Output      50  (reasoning 20)"))
        #expect(text.contains("Total       150"))
        #expect(text.contains("$0.0015"))
        #expect(text.contains("⚙ get_weather {\"city\":\"Paris\"}"))
        #expect(text.contains("Bodies"))
    }

    @Test func conversationTabShowsRolesAndTheAnswer() {
        let (state, frame) = Self.detailFrame(tab: .conversation)
        let text = frame.plainText
        for needle in [
            "▌ system", "You are terse.", "▌ user", "What is the weather in Paris?", "▌ assistant · tool call", "⚙ get_weather",
            "\"city\": \"Paris\"", "▌ tool", "↳ result of call_1", "\"temp\": 21", "▌ assistant · stop", "It is 21°C in Paris.",
        ] {
            #expect(text.contains(needle), "\(needle)")
        }
        let y = frame.rowIndex(containing: "▌ user")!
        let x = frame.column(of: "user", inRow: y)!
        #expect(frame[x, y].style == state.theme.roleUser)
    }

    @Test func conversationGrowsWhileStreaming() {
        var state = Fixtures.state(count: 0, width: 100, height: 40)
        let s = Fixtures.started(5)
        state.send(.event(.started(s)))
        state.press(.char("]"))
        state.send(.recordLoaded(Fixtures.record(s)))
        #expect(state.frame().plainText.contains("assistant · streaming…"))
        state.send(.event(.delta(RequestDelta(id: s.id, text: "The answer "))))
        #expect(state.frame().plainText.contains("The answer"))
        state.send(.event(.delta(RequestDelta(id: s.id, text: "is 42."))))
        #expect(state.frame().plainText.contains("The answer is 42."))
        state.send(.event(.completed(Fixtures.summary(5, stream: true, text: "The answer is 42."))))
        let text = state.frame().plainText
        #expect(text.contains("assistant · stop"))
        #expect(text.contains("The answer is 42."))
    }

    @Test func requestTabIsPrettyColouredJSON() {
        let (state, frame) = Self.detailFrame(tab: .request)
        let text = frame.plainText
        #expect(text.contains("\"messages\": ["))
        #expect(text.contains("\"model\": \"gpt-4o\","))
        #expect(text.contains("\"stream\": true"))
        #expect(text.contains("\"content\": null,"))
        let y = frame.rowIndex(containing: "\"model\"")!
        let kx = frame.column(of: "\"model\"", inRow: y)!
        let vx = frame.column(of: "\"gpt-4o\"", inRow: y)!
        #expect(frame[kx, y].style == state.theme.jsonKey)
        #expect(frame[vx, y].style == state.theme.jsonString)
        let sy = frame.rowIndex(containing: "\"stream\"")!
        #expect(frame[frame.column(of: "true", inRow: sy)!, sy].style == state.theme.jsonLiteral)
        // Keys sorted: messages before model before stream.
        #expect(frame.rowIndex(containing: "\"messages\"")! < y)
        #expect(y < sy)
    }

    @Test func responseTabShowsStreamedEvents() {
        let (_, frame) = Self.detailFrame(tab: .response)
        let text = frame.plainText
        #expect(text.contains("3 server-sent events"))
        #expect(text.contains("#1 message"))
        #expect(text.contains("{\"choices\":[{\"delta\":{\"content\":\"Hel\"},\"index\":0}],\"id\":\"c1\"}"))
        #expect(text.contains("#3 message"))
        #expect(text.contains("[DONE]"))
    }

    @Test func responseTabShowsPlainJSON() {
        let s = Fixtures.summary(1)
        let body =
            "{\"id\":\"x\",\"choices\":[{\"message\":{\"content\":\"" + String(repeating: "long ", count: 100)
            + "\"}}],\"usage\":{\"total_tokens\":150}}"
        let (_, frame) = Self.detailFrame(tab: .response, record: Fixtures.record(s, responseBody: body, sse: false))
        let text = frame.plainText
        #expect(text.contains("\"total_tokens\": 150"))
        #expect(text.contains("… (500 chars)\""))  // the long string is folded to one line
    }

    @Test func headersTab() {
        let (_, frame) = Self.detailFrame(tab: .headers)
        let text = frame.plainText
        #expect(text.contains("Request headers (2)"))
        #expect(text.contains("content-type   application/json"))
        #expect(text.contains("authorization  <redacted:…abcd>"))
        #expect(text.contains("Response headers · HTTP 200 (1)"))
        #expect(text.contains("text/event-stream"))
    }

    @Test func rawTab() {
        let (_, frame) = Self.detailFrame(tab: .raw)
        let text = frame.plainText
        #expect(text.contains("POST https://api.openai.com/v1/chat/completions"))
        #expect(text.contains("authorization: <redacted:…abcd>"))
        #expect(text.contains("HTTP 200"))
        #expect(text.contains("data: [DONE]"))
    }

    @Test func tabsWaitForTheRecord() {
        var state = Fixtures.state(count: 1)
        #expect(state.press(.char("]")) == [.loadRecord(id: Fixtures.id(0))])
        #expect(state.frame().plainText.contains("Loading the request…"))
        state.press(.char("]"))
        #expect(state.frame().plainText.contains("Loading…"))
    }

    @Test func smallTerminalsShowOnePaneAtATime() {
        var state = Fixtures.state(count: 20, width: 80, height: 12)
        var text = state.frame().plainText
        #expect(text.contains("time"))
        #expect(!text.contains("Overview"))
        state.press(.enter)
        text = state.frame().plainText
        #expect(text.contains("Overview"))
        #expect(!text.contains("endpoint"))
        // Tiny sizes do not crash.
        for (w, h) in [(0, 0), (1, 1), (5, 3), (20, 4), (30, 6)] {
            _ = Renderer.render(state, width: w, height: h)
        }
    }
}
