import Foundation
import LLMTraceModel
import TUI  // not @testable: only what a driver can use
import Testing

/// A driver's loop against the public API only.
@Suite struct DriverAPITests {
    @Test func aDriverLoop() throws {
        var state = AppState(serverLabel: "unix:///tmp/llmtrace.sock", startedLocalServer: true, width: 100, height: 30)
        var effects = state.send(.resize(width: 100, height: 30))
        effects += state.send(.start)
        #expect(effects == [.reload])
        state.send(.connection(.live))

        // The driver answers .reload with the newest page.
        let started = try LiveEvent(
            id: 1,
            kind: .started,
            json: #"""
                {"id":"0192f3a1c2d4-00000001","env":"dev","method":"POST","scheme":"https","host":"api.anthropic.com","path":"/v1/messages",
                 "query":null,"provider":"anthropic","endpoint":"messages","model":"claude-sonnet-4","stream":true,"status":200,"error":null,
                 "startedAt":"2026-11-29T12:00:00.000Z","durationMs":null,"ttftMs":120,"usage":{"inputTokens":null,"outputTokens":null,
                 "cachedInputTokens":null,"cacheCreationTokens":null,"reasoningTokens":null,"totalTokens":null},"estimatedCost":null,
                 "text":null,"toolCalls":[],"finishReason":null,"complete":false}
                """#
        ).payload()
        state.send(.pageLoaded(Page(items: [], nextCursor: nil), replace: true))
        state.send(.event(started))
        let delta = try LiveEvent(id: 2, kind: .delta, json: #"{"id":"0192f3a1c2d4-00000001","text":"Bonjour"}"#).payload()
        state.send(.event(delta))
        effects = state.send(.key(Key(scalar: "]")!))
        #expect(effects == [.loadRecord(id: "0192f3a1c2d4-00000001")])
        state.send(.tick(Date()))
        while state.hasPendingWork { state.send(.work) }

        var screen = CellGrid(width: 0, height: 0)
        let frame = Renderer.render(state, width: 100, height: 30)
        var painted = 0
        for change in frame.diff(from: screen) where !change.cell.isContinuation {
            _ = change.cell.style.downgraded(to: ColorMode.forTerminal(colors: 8, noColor: false))
            painted += 1
        }
        #expect(painted > 0)
        screen = frame
        #expect(frame.plainText.contains("local server started"))
        #expect(frame.plainText.contains("Bonjour"))
        // Nothing changed: nothing to paint.
        #expect(Renderer.render(state, width: 100, height: 30).diff(from: screen).isEmpty)
        #expect(state.send(.key(.ctrl("c"))) == [.quit])
    }
}
