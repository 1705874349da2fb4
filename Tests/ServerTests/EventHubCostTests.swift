import Foundation
import Logging
import Testing

@testable import LLMTraceModel
@testable import Server

/// What live events cost the proxy per streamed request while nobody listens. Prints numbers only (no
/// timing asserts); run with `LLMTRACE_MEASURE=1`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["LLMTRACE_MEASURE"] == "1"))
struct EventHubCostTests {
    @Test func publishingWhileNobodyListens() {
        let hub = EventHubTests.hub()
        let n = 20_000
        let summaries = (0..<n).map { EventHubTests.summary($0) }
        let clock = ContinuousClock()
        let startAndEnd = clock.measure {
            for s in summaries {
                hub.requestStarted(s)
                hub.requestCompleted(s)
            }
        }
        var updated = summaries[0]
        updated.model = "gpt-4o"
        let updates = clock.measure {
            for s in summaries {
                updated.id = s.id
                hub.requestUpdated(updated)
            }
        }
        // 100 chunks of text per request, a tick every 10 chunks.
        let deltas = clock.measure {
            for s in summaries.prefix(2000) {
                for i in 0..<100 {
                    hub.requestDelta(id: s.id, text: "tok\(i) ")
                    if i % 10 == 9 { hub.flushDeltas() }
                }
            }
        }
        print(
            "nobody listening: started+completed \(startAndEnd / n) per request; request.updated \(updates / n) each; delta \(deltas / 200_000) per chunk (ticks included)"
        )
    }
}
