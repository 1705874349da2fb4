import Client
import Foundation
import Testing

@testable import LLMTraceModel
@testable import TUI

/// The Sessions screen (`3`) and the Diff tab: what they ask the server for, what they show, and how a
/// turn opens on the Requests screen.
@Suite struct SessionsScreenTests {
    static func session(_ n: Int, turns: Int, cost: Double, errors: Int = 0) -> SessionSummary {
        SessionSummary(
            id: "agent-run-\(n)",
            env: "dev",
            turns: turns,
            errors: errors,
            inputTokens: 93_000,
            outputTokens: 300,
            totalTokens: 93_300,
            cost: cost,
            durationMs: 42_000,
            startedAt: Fixtures.base,
            lastActivityAt: Fixtures.base.addingTimeInterval(Double(600 - n * 60)),
            models: ["gpt-4o-2024-08-06"]
        )
    }

    static func turns(of session: SessionSummary, count: Int) -> SessionDetail {
        let turns = (0..<count).map { i -> TraceSummary in
            var s = Fixtures.summary(1000 + i, text: "turn \(i + 1) answer")
            s.sessionId = session.id
            s.turn = i + 1
            return s
        }
        return SessionDetail(session: session, turns: turns)
    }

    @Test func threeShowsTheSessionsAndTheSelectedOnesTurns() {
        var state = Fixtures.state(count: 3)
        let effects = state.press(.char("3"))
        #expect(state.screen == .sessions)
        #expect(effects == [.loadSessions(minTurns: 1)])
        #expect(state.frame().rowIndex(containing: "Loading sessions…") != nil)

        let sessions = [Self.session(1, turns: 200, cost: 4.25), Self.session(2, turns: 3, cost: 0.01, errors: 1)]
        let loaded = state.send(.sessionsLoaded(sessions))
        #expect(loaded == [.loadSession(id: "agent-run-1")])
        state.send(.sessionLoaded(Self.turns(of: sessions[0], count: 200)))
        let frame = state.frame()
        // One row per session, with its totals; the 200-turn run is one row with its whole cost.
        let row = frame.rowIndex(containing: "agent-run-1")!
        #expect(frame.row(row).contains("200") && frame.row(row).contains("$4.25"))
        #expect(frame.rowIndex(containing: "agent-run-2") != nil)
        // The selected session's title and its turns below.
        #expect(frame.rowIndex(containing: "200 turns") != nil)
        #expect(frame.rowIndex(containing: "turn 1 answer") != nil)

        // Down selects the next session and asks for its turns.
        #expect(state.press(.char("j")) == [.loadSession(id: "agent-run-2")])
        #expect(state.frame().rowIndex(containing: "Loading its turns…") != nil)

        // m: only sessions of more than one turn, and back.
        #expect(state.press(.char("m")) == [.loadSessions(minTurns: 2)])
        #expect(state.frame().rowIndex(containing: "more than one turn only") != nil)
        state.send(.sessionsLoaded([sessions[0]]))
        #expect(state.press(.char("m")) == [.loadSessions(minTurns: 1)])
    }

    @Test func enterOnATurnOpensItOnTheRequestsScreenFilteredToItsSession() {
        var state = Fixtures.state(count: 3)
        state.press(.char("3"))
        let session = Self.session(1, turns: 4, cost: 0.5)
        state.send(.sessionsLoaded([session]))
        state.send(.sessionLoaded(Self.turns(of: session, count: 4)))
        state.press(.enter)
        #expect(state.focus == .detail)
        state.press(.char("j"), .char("j"))
        #expect(state.selectedTurn == 2)
        state.press(.enter)
        #expect(state.screen == .requests && state.focus == .list)
        #expect(state.filter.appliedText == "~session agent-run-1")
        #expect(state.selectedID == Fixtures.id(1002))
        #expect(state.visible.count == 4)
    }

    @Test func finishedRequestsRefreshTheListAtMostEveryFewSeconds() {
        var state = Fixtures.state(count: 1)
        state.press(.char("3"))
        state.send(.sessionsLoaded([]))
        #expect(state.frame().rowIndex(containing: "No sessions yet") != nil)
        var done = Fixtures.summary(7)
        done.sessionId = "s"
        state.send(.event(.completed(done)))
        #expect(state.send(.tick(state.now.addingTimeInterval(0.5))).isEmpty)
        #expect(state.send(.tick(state.now.addingTimeInterval(3))) == [.loadSessions(minTurns: 1)])
        // Nothing finished since: no more asking.
        state.send(.sessionsLoaded([]))
        #expect(state.send(.tick(state.now.addingTimeInterval(10))).isEmpty)
    }

    @Test func theDiffTabAsksForTheDiffAndShowsWhatChanged() {
        var s = Fixtures.summary(1)
        s.sessionId = "run"
        s.turn = 5
        var state = Fixtures.state(width: 110, height: 60, summaries: [s])
        state.press(.enter)
        let effects = state.press(.char("]"), .char("]"))
        #expect(state.tab == .diff)
        #expect(effects.contains(.loadDiff(id: s.id)))
        state.send(
            .diffLoaded(
                TurnDiff(
                    id: s.id,
                    previousId: "prev-turn",
                    sessionId: "run",
                    turn: 5,
                    commonMessages: 8,
                    added: [
                        .init(index: 8, role: "assistant", text: "→ read_file({\"path\":\"a\"})"), .init(index: 9, role: "tool", text: "file body"),
                    ],
                    parameters: [.init(name: "temperature", before: "null", after: "0.2")]
                )
            )
        )
        let frame = state.frame()
        #expect(frame.rowIndex(containing: "turn 5 of session run") != nil)
        #expect(frame.rowIndex(containing: "prev-turn, the turn before") != nil)
        #expect(frame.rowIndex(containing: "8 messages as before") != nil)
        let added = frame.rowIndex(containing: "+ #9 tool")!
        #expect(frame.row(added + 1).contains("file body"))
        #expect(frame.rowIndex(containing: "null → 0.2") != nil)
    }
}

/// `r`: the key typed for a replay stays masked and in memory, goes with the effect, and the answers
/// show side by side.
@Suite struct ReplayKeyTests {
    @Test func theKeyIsTypedMaskedAndSentWithTheReplay() {
        var state = Fixtures.state(count: 2)
        let id = state.selectedID!
        state.press(.char("r"))
        #expect(state.replayPrompt?.recordID == id)
        #expect(state.replayPrompt?.variable == "OPENAI_API_KEY")
        state.type("sk-typed-q")  // `q` is text here, not quit
        state.press(.backspace)
        var frame = state.frame()
        #expect(frame.rowIndex(containing: "API key to replay \(id)") != nil)
        #expect(frame.rowIndex(containing: "sk-typed") == nil)
        #expect(frame.rowIndex(containing: "••••••••") != nil)
        #expect(state.press(.enter) == [.replay(id: id, key: "sk-typed-")])
        #expect(state.replayPrompt == nil)

        var replay = Fixtures.summary(9, text: "A fresh answer")
        replay.replayOf = id
        state.send(.replayed(Replayer.Outcome(original: state.store[id]!, replay: replay)))
        frame = state.frame()
        let header = frame.rowIndex(containing: "original")!
        #expect(frame.row(header).contains("│ replay"))
        #expect(frame.rowIndex(containing: "A fresh answer") != nil)
        state.press(.escape)
        #expect(state.replayResult == nil)

        // Enter alone: the provider's variable; Esc cancels.
        state.press(.char("r"))
        #expect(state.press(.enter) == [.replay(id: id, key: nil)])
        state.press(.char("r"), .escape)
        #expect(state.replayPrompt == nil)
    }
}
