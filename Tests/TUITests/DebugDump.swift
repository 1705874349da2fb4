import Foundation
import LLMTraceModel
import Testing

@testable import TUI

/// Prints frames for a person to look at: `TUI_DUMP=1 swift test --filter dumpFrames`. Without
/// `TUI_DUMP` it is reported as skipped.
@Test(.enabled(if: ProcessInfo.processInfo.environment["TUI_DUMP"] != nil, "prints frames only when TUI_DUMP is set"))
func dumpFrames() throws {
    var state = Fixtures.state(count: 30, width: 80, height: 24)
    state.send(.event(.started(Fixtures.started(100))))
    state.send(.event(.delta(RequestDelta(id: Fixtures.id(100), text: "Once upon a time "))))
    state.send(
        .event(
            .completed(
                Fixtures.summary(
                    101,
                    model: "claude-3-5-sonnet-20241022",
                    status: 529,
                    error: TraceError(type: "overloaded_error", message: "Overloaded")
                )
            )
        )
    )
    state.send(.connection(.reconnecting(reason: "connection refused", attempt: 3, retryInSeconds: 2)))
    print(state.frame().plainText)
    print(String(repeating: "=", count: 80))
    state.press(.char("/"))
    state.type("~m gpt & (~err")
    print(state.frame().plainText)
    print(String(repeating: "=", count: 80))
    state.press(.escape, .char("]"), .enter)
    state.send(.recordLoaded(Fixtures.record(state.selectedSummary!)))
    print(state.frame().plainText)
    print(String(repeating: "=", count: 80))
    state.press(.char("c"))
    print(state.frame().plainText)
    print(String(repeating: "=", count: 80))
    state.press(.char("n"), .char("2"))
    print(state.frame().plainText)
    print(String(repeating: "=", count: 80))
    state.press(.char("?"))
    print(state.frame().plainText)
}
