// TUI frame benchmark: time from a key press to the finished frame (reduce + render + diff) with
// 100 000 requests loaded, beside the floor of the same run: diffing two blank grids of that size.
//
//   swift run -c release --package-path bench tui-bench [requests] [width] [height]
import Foundation
import LLMTraceModel
import TUI

let count = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 100_000
let width = CommandLine.arguments.dropFirst(2).first.flatMap(Int.init) ?? 160
let height = CommandLine.arguments.dropFirst(3).first.flatMap(Int.init) ?? 50

func summary(_ i: Int) -> TraceSummary {
    let models = ["gpt-4o-2024-08-06", "claude-sonnet-4-5-20250929", "gemini-2.5-pro", "llama3.1:8b", "gpt-4o-mini"]
    var s = TraceSummary(
        id: String(format: "%012x-%08x", 1_795_000_000_000 + i, i),
        env: ["dev", "ci", "prod"][i % 3],
        method: "POST",
        scheme: "https",
        host: "api.openai.com",
        path: "/v1/chat/completions",
        provider: "openai",
        endpoint: "chat.completions",
        model: models[i % models.count],
        stream: i % 2 == 0,
        status: i % 50 == 0 ? 429 : 200,
        startedAt: Date(timeIntervalSince1970: 1_795_000_000 + Double(i)),
        durationMs: Double(200 + i % 3000),
        ttftMs: Double(50 + i % 400)
    )
    s.usage = Usage(inputTokens: 1000 + i % 5000, outputTokens: 50 + i % 800, totalTokens: 1050 + i % 5800)
    s.estimatedCost = Double(i % 1000) / 100_000
    s.text = "answer \(i)"
    s.complete = true
    return s
}

func milliseconds(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
}

var state = AppState(serverLabel: "bench", width: width, height: height)
_ = reduce(&state, .resize(width: width, height: height))
let items = (0..<count).reversed().map(summary)
_ = reduce(&state, .pageLoaded(Page(items: items, nextCursor: nil), replace: true))
while state.hasPendingWork { _ = reduce(&state, .work) }

var previous = Renderer.render(state, width: width, height: height)
var frames: [Double] = []
let keys: [Key] =
    Array(repeating: .char("j"), count: 150) + Array(repeating: .pageDown, count: 30) + [.char("G"), .char("g"), .char("2"), .char("1")]
for key in keys {
    let start = ContinuousClock.now
    _ = reduce(&state, .key(key))
    let grid = Renderer.render(state, width: width, height: height)
    let changes = grid.diff(from: previous)
    frames.append(milliseconds(ContinuousClock.now - start))
    previous = grid
    precondition(changes.count >= 0)
}

var floor: [Double] = []
let blankA = CellGrid(width: width, height: height)
var blankB = CellGrid(width: width, height: height)
for i in 0..<keys.count {
    let start = ContinuousClock.now
    blankB = CellGrid(width: width, height: height, fill: Cell(i % 2 == 0 ? " " : "."))
    floor.append(milliseconds(ContinuousClock.now - start) + 0 * Double(blankB.diff(from: blankA).count))
}

func describe(_ values: [Double]) -> String {
    let sorted = values.sorted()
    let median = sorted[sorted.count / 2]
    let p99 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
    return String(format: "median %.2f ms  p99 %.2f ms  max %.2f ms", median, p99, sorted.last ?? 0)
}

print("llmtrace TUI frame benchmark: \(count) requests, \(width)x\(height), \(keys.count) key presses")
print("key press → frame (reduce + render + diff): \(describe(frames))")
print("floor (make + diff a blank grid):          \(describe(floor))")
print("goal: under 16 ms a frame")
