import Foundation
import LLMTraceModel
import Testing

@testable import TUI

/// A request in flight, as `request.started` and then `request.updated` describe it, drawn into the grid.
@Suite struct InFlightRenderingTests {
    /// A state whose clock is 2.5 s past the start of request 9, which has started but nothing more.
    static func state(width: Int = 120, height: Int = 40) -> (AppState, TraceSummary) {
        var state = Fixtures.state(count: 3, width: width, height: height)
        var started = Fixtures.started(9)
        started.provider = nil
        started.endpoint = nil
        started.model = nil
        started.stream = false
        started.startedAt = state.now.addingTimeInterval(-2.5)
        state.send(.event(.started(started)))
        return (state, started)
    }

    /// What `request.updated` says once the request body was read and the response head arrived.
    static func updated(_ s: TraceSummary) -> TraceSummary {
        var u = s
        u.provider = "openai"
        u.endpoint = "chat.completions"
        u.model = "gpt-4o"
        u.stream = true
        u.status = 200
        return u
    }

    @Test func theRowShowsModelProviderAndTheLiveDurationOnceUpdated() throws {
        var (state, started) = Self.state()
        let y = try #require(state.frame().rowIndex(containing: Format.clock(started.startedAt, zone: state.timeZone)))
        #expect(!state.frame().row(y).contains("openai"))
        #expect(!state.frame().row(y).contains("gpt-4o"))
        #expect(state.frame().row(y).contains("2.50s"))

        state.send(.event(.updated(Self.updated(started))))
        let row = state.frame().row(y)
        #expect(row.contains("gpt-4o"))
        #expect(row.contains("openai"))
        #expect(row.contains("200"))
        #expect(row.contains(RequestTable.spinner[state.tick % RequestTable.spinner.count]))
        // The duration ticks with the clock.
        state.send(.tick(state.now.addingTimeInterval(1)))
        #expect(state.frame().row(y).contains("3.50s"))
        let x = try #require(state.frame().column(of: "3.50s", inRow: y))
        #expect(state.frame()[x, y].style == state.theme.spinner)
    }

    @Test func theDetailSaysStreamingWithTheModelBeforeTheEnd() {
        var (state, started) = Self.state(width: 110, height: 60)
        state.press(.char("g"))  // the newest row: the request in flight
        state.send(.event(.updated(Self.updated(started))))
        state.send(.event(.delta(RequestDelta(id: started.id, text: "The answer "))))
        let text = state.frame().plainText
        #expect(text.contains("gpt-4o"))
        #expect(text.contains("openai · chat.completions"))
        #expect(text.contains("200, streaming…"))
        #expect(!text.contains("waiting for the upstream"))
        #expect(text.contains("2.50s so far"))
        #expect(text.contains("Answer so far"))
        #expect(text.contains("known when the response ends"), "an in-flight call has no cost yet, not an unpriced model")
        let lines = text.split(separator: "\n")
        #expect(lines.contains { $0.contains("Stream") && $0.contains("yes") })
    }

    @Test func beforeTheHeadTheDetailWaitsForTheUpstream() {
        var (state, started) = Self.state(width: 110, height: 60)
        state.press(.char("g"))
        var u = Self.updated(started)
        u.status = nil
        state.send(.event(.updated(u)))
        let text = state.frame().plainText
        #expect(text.contains("waiting for the upstream…"))
        #expect(text.contains("gpt-4o"))
    }

    @Test func filtersMatchInFlightRowsOnceUpdated() {
        var (state, started) = Self.state()
        state.press(.char("/"))
        state.type("~m claude | ~stream")
        state.press(.enter)
        #expect(!state.visible.contains(started.id))
        var u = Self.updated(started)
        u.model = "claude-sonnet-4"
        state.send(.event(.updated(u)))
        #expect(state.visible.contains(started.id))
        #expect(state.frame().plainText.contains("claude-sonnet-4"))
    }

    @Test func aLateUpdateDoesNotUndoTheCompletion() {
        var (state, started) = Self.state()
        state.send(.event(.completed(Fixtures.summary(9, stream: true, text: "Done."))))
        state.send(.event(.updated(Self.updated(started))))
        #expect(state.store[started.id]?.complete == true)
    }
}
