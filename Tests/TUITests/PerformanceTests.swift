import Foundation
import LLMTraceModel
import Testing

@testable import TUI

@Suite struct PerformanceTests {
    static func bigState(_ count: Int) -> AppState {
        let models = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4", "gemini-2.5-pro", "llama3"]
        let envs = ["dev", "prod", "staging"]
        var items: [TraceSummary] = []
        items.reserveCapacity(count)
        for n in 0..<count {
            let status = n % 97 == 0 ? 500 : 200
            let duration = Double(100 + n % 5000)
            let cost = Double(n % 100) / 10_000
            let started = Fixtures.base.addingTimeInterval(Double(n) * 0.03)
            items.append(
                Fixtures.summary(
                    n,
                    env: envs[n % 3],
                    model: models[n % 5],
                    status: status,
                    durationMs: duration,
                    input: 100 + n % 1000,
                    output: 10 + n % 300,
                    cached: n % 2 == 0 ? 50 : nil,
                    cost: cost,
                    startedAt: started
                )
            )
        }
        var state = AppState(
            serverLabel: "x",
            now: Fixtures.base.addingTimeInterval(Double(count) * 0.03),
            width: 160,
            height: 50,
            timeZone: TimeZone(identifier: "UTC")!
        )
        state.send(.pageLoaded(Page(items: items, nextCursor: nil), replace: true))
        return state
    }

    @Test func hundredThousandRowsRender() {
        let clock = ContinuousClock()
        var state = Self.bigState(100_000)
        #expect(state.visible.count == 100_000)
        var frame = state.frame()
        #expect(frame.plainText.contains(Format.clock(state.selectedSummary!.startedAt, zone: state.timeZone)))
        state.press(.char("G"))
        #expect(state.selectedPosition == 99_999)
        frame = state.frame()
        #expect(frame.plainText.contains("▶"))
        state.press(.pageUp, .pageUp)
        state.press(.char("2"))
        #expect(state.frame().plainText.contains("claude-sonnet-4"))
        state.press(.char("1"))

        // Measure (reported, not asserted): key press → reduce → render → diff.
        var samples: [Duration] = []
        var previous = state.frame()
        for i in 0..<60 {
            let start = clock.now
            state.send(.key(i % 2 == 0 ? .char("k") : .pageDown))
            let next = state.frame()
            _ = next.diff(from: previous)
            previous = next
            samples.append(clock.now - start)
        }
        var statsSamples: [Duration] = []
        state.press(.char("2"))
        for _ in 0..<20 {
            let start = clock.now
            _ = state.frame()
            statsSamples.append(clock.now - start)
        }
        var eventSamples: [Duration] = []
        state.press(.char("1"))
        for n in 0..<200 {
            let start = clock.now
            state.send(.event(.started(Fixtures.started(200_000 + n))))
            eventSamples.append(clock.now - start)
        }
        var filterSamples: [Duration] = []
        state.press(.char("/"))
        for c in "~m claude" {
            let start = clock.now
            state.send(.key(.char(c)))
            _ = state.frame()
            filterSamples.append(clock.now - start)
        }
        let finishStart = clock.now
        var steps = 0
        while state.hasPendingWork {
            state.send(.work)
            steps += 1
        }
        let finish = clock.now - finishStart
        #expect(state.visible.count == 20_000)
        func ms(_ d: [Duration]) -> String {
            let v = d.map { Double($0.components.attoseconds) / 1e15 + Double($0.components.seconds) * 1000 }.sorted()
            return String(format: "median %.2f ms, max %.2f ms", v[v.count / 2], v.last!)
        }
        print(
            "PERF 100k requests — key+render+diff: \(ms(samples)); stats frame: \(ms(statsSamples)); live event: \(ms(eventSamples)); filter keystroke+render (first step): \(ms(filterSamples)); rest of the last scan: \(steps) steps in \(finish)"
        )
    }
}
