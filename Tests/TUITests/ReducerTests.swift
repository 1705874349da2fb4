import Foundation
import LLMTraceModel
import Testing

@testable import TUI

@Suite struct ReducerTests {
    @Test func startAsksForTheNewestPage() {
        var state = AppState(serverLabel: "x")
        #expect(state.send(.start) == [.reload])
        #expect(state.frame(80, 24).plainText.contains("Loading requests…"))
    }

    @Test func pageLoadSelectsTheNewestAndKeepsOrder() {
        let state = Fixtures.state(count: 5)
        #expect(state.visible.count == 5)
        #expect(state.visible.all == (0..<5).reversed().map { Fixtures.id($0) })
        #expect(state.selectedID == Fixtures.id(4))
    }

    @Test func movingTheSelection() {
        var state = Fixtures.state(count: 100, height: 30)
        state.press(.char("j"), .down)
        #expect(state.selectedPosition == 2)
        state.press(.char("k"))
        #expect(state.selectedPosition == 1)
        state.press(.char("G"))
        #expect(state.selectedPosition == 99)
        #expect(state.selectedID == Fixtures.id(0))
        state.press(.char("g"))
        #expect(state.selectedPosition == 0)
        let rows = state.layout.listRows
        state.press(.pageDown)
        #expect(state.selectedPosition == rows)
        state.press(.ctrl("u"))
        #expect(state.selectedPosition == rows - rows / 2)
        state.press(.ctrl("d"))
        #expect(state.selectedPosition == rows)
        // The selection stays on screen.
        state.press(.char("G"))
        #expect(state.listTop == 100 - rows)
        let frame = state.frame()
        #expect(frame.plainText.contains("▶"))
    }

    @Test func reachingTheEndLoadsOlderRequests() {
        var state = AppState(serverLabel: "x", width: 100, height: 30)
        state.send(.pageLoaded(Page(items: (10..<20).map { Fixtures.summary($0) }, nextCursor: "c1"), replace: true))
        let effects = state.press(.char("G"))
        #expect(effects == [.loadOlder(cursor: "c1")] || effects.contains(.loadOlder(cursor: "c1")))
        #expect(state.loadingOlder)
        #expect(!state.press(.char("j")).contains(.loadOlder(cursor: "c1")))  // not twice
        state.send(.pageLoaded(Page(items: (0..<10).map { Fixtures.summary($0) }, nextCursor: nil), replace: false))
        #expect(!state.loadingOlder)
        #expect(state.visible.count == 20)
        #expect(state.selectedID == Fixtures.id(10))  // the selection stayed put
        #expect(state.olderCursor == nil)
    }

    @Test func liveEventsInsertUpdateAndStream() {
        var state = Fixtures.state(count: 3)
        state.send(.event(.started(Fixtures.started(10))))
        #expect(state.visible[0] == Fixtures.id(10))
        #expect(state.selectedID == Fixtures.id(2))  // not following: the selection stays
        state.send(.event(.delta(RequestDelta(id: Fixtures.id(10), text: "Hel"))))
        state.send(.event(.delta(RequestDelta(id: Fixtures.id(10), text: "lo"))))
        #expect(state.liveText[Fixtures.id(10)] == "Hello")
        var done = Fixtures.summary(10, stream: true, text: "Hello")
        done.usage = Usage(inputTokens: 10, outputTokens: 2, totalTokens: 12)
        state.send(.event(.completed(done)))
        #expect(state.liveText[Fixtures.id(10)] == nil)
        #expect(state.store[Fixtures.id(10)]?.complete == true)
        #expect(state.analytics.total.requests == 4)
        #expect(state.analytics.total.totalTokens == 3 * 150 + 12)
        // A late "started" does not undo the completion.
        state.send(.event(.started(Fixtures.started(10))))
        #expect(state.store[Fixtures.id(10)]?.complete == true)
        #expect(state.analytics.total.requests == 4)
    }

    @Test func recordsAreLoadedForTheDetailPane() {
        var state = Fixtures.state(count: 3)
        #expect(state.loadingRecords.isEmpty)  // Overview needs only the summary
        var effects = state.press(.char("]"))
        #expect(effects == [.loadRecord(id: Fixtures.id(2))])
        effects = state.press(.char("j"))
        #expect(effects == [.loadRecord(id: Fixtures.id(1))])
        state.send(.recordLoaded(Fixtures.record(Fixtures.summary(1))))
        #expect(state.records[Fixtures.id(1)] != nil)
        #expect(state.press(.char("k"), .char("j")) == [])  // 2 is loading, 1 is loaded
        state.send(.recordFailed(id: Fixtures.id(2), message: "boom"))
        state.press(.char("k"))
        #expect(state.frame().plainText.contains("Could not load the request: boom"))
    }

    @Test func followSticksToTheNewest() {
        var state = Fixtures.state(count: 3)
        state.press(.char("j"))
        #expect(state.selectedPosition == 1)
        state.press(.char("F"))
        #expect(state.follow)
        #expect(state.selectedID == Fixtures.id(2))
        state.send(.event(.started(Fixtures.started(7))))
        #expect(state.selectedID == Fixtures.id(7))
        state.send(.event(.started(Fixtures.started(8))))
        #expect(state.selectedID == Fixtures.id(8))
        #expect(state.frame().row(0).contains("FOLLOW"))
        // Moving away turns follow off.
        state.press(.char("j"))
        #expect(!state.follow)
        state.send(.event(.started(Fixtures.started(9))))
        #expect(state.selectedID == Fixtures.id(7))
    }

    @Test func pauseQueuesEventsUntilResumed() {
        var state = Fixtures.state(count: 2)
        state.press(.char("Z"))
        #expect(state.paused)
        let before = state.frame()
        state.send(.event(.started(Fixtures.started(5))))
        state.send(.event(.delta(RequestDelta(id: Fixtures.id(5), text: "x"))))
        #expect(state.visible.count == 2)
        #expect(state.pendingEvents.count == 2)
        let during = state.frame()
        #expect(during.row(0).contains("PAUSED (2 queued)"))
        // Nothing but the header and status changed.
        #expect(during.diff(from: before).allSatisfy { $0.y == 0 || $0.y == during.height - 2 })
        state.press(.char("Z"))
        #expect(!state.paused)
        #expect(state.visible.count == 3)
        #expect(state.liveText[Fixtures.id(5)] == "x")
        #expect(state.status?.text == "Resumed: 2 updates applied")
    }

    @Test func pauseOverflowReloadsOnResume() {
        var state = Fixtures.state(count: 1)
        state.maxPendingEvents = 3
        state.press(.char("Z"))
        for n in 10..<20 { state.send(.event(.started(Fixtures.started(n)))) }
        #expect(state.pendingOverflow)
        #expect(state.press(.char("Z")) == [.reload])
    }

    @Test func clearAsksFirst() {
        var state = Fixtures.state(count: 3)
        #expect(state.press(.char("c")) == [])
        #expect(state.confirmation == .clearAll)
        #expect(state.frame().plainText.contains("Clear all records? y/n"))
        #expect(state.press(.char("n")) == [])
        #expect(state.confirmation == nil)
        #expect(state.visible.count == 3)
        // Any other key cancels too, and does nothing else.
        state.press(.char("c"))
        #expect(state.press(.char("q")) == [])
        #expect(state.confirmation == nil)
        state.press(.char("c"))
        #expect(state.press(.char("y")) == [.clearAll])
        #expect(state.visible.isEmpty)
        #expect(state.selectedID == nil)
        #expect(state.analytics.total.requests == 0)
        #expect(state.frame().plainText.contains("No requests yet"))
    }

    @Test func clearedEventEmptiesTheList() {
        var state = Fixtures.state(count: 3)
        state.send(.event(.cleared))
        #expect(state.store.count == 0)
    }

    @Test func exportAsksTheDriverAndShowsTheResult() {
        var state = Fixtures.state(count: 2)
        #expect(state.press(.char("e")) == [.export(id: Fixtures.id(1))])
        state.send(.exported(id: Fixtures.id(1), path: "/tmp/x.json"))
        #expect(state.frame().plainText.contains("Exported \(Fixtures.id(1)) to /tmp/x.json"))
        state.send(.tick(state.now.addingTimeInterval(10)))
        #expect(state.status == nil)
        state.send(.exportFailed(id: "a", message: "disk full"))
        #expect(state.status?.isError == true)
    }

    @Test func shiftEExportsTheFilteredListToAFileNamedInTheStatusLine() {
        var state = Fixtures.state(count: 4, width: 160)
        // base + 600 s is 2026-11-29 12:10:00 UTC, the fixtures' time zone.
        #expect(state.press(.char("E")) == [.exportList(filter: "", fileName: "llmtrace-export-20261129-121000.csv")])
        #expect(state.listExport == "llmtrace-export-20261129-121000.csv")
        #expect(state.frame().plainText.contains("Exporting every request to llmtrace-export-20261129-121000.csv…"))
        // The message stays while the export runs, however long; a second E does not start another.
        state.send(.tick(state.now.addingTimeInterval(60)))
        #expect(state.status?.text.hasPrefix("Exporting") == true)
        #expect(state.press(.char("E")) == [])
        #expect(state.status?.text == "Still exporting to llmtrace-export-20261129-121000.csv…")
        state.send(.listExported(path: "/work/llmtrace-export-20261129-121000.csv", records: 12_345))
        #expect(state.listExport == nil)
        #expect(state.frame().plainText.contains("Exported 12,345 requests to /work/llmtrace-export-20261129-121000.csv"))

        // With a filter in force, from the detail pane too: the filter the list shows goes to the server.
        state.press(.char("/"))
        state.type("~e dev ~m gpt")
        state.press(.enter, .enter)
        #expect(state.focus == .detail)
        state.send(.tick(state.now.addingTimeInterval(1)))
        #expect(state.press(.char("E")) == [.exportList(filter: "~e dev ~m gpt", fileName: "llmtrace-export-20261129-121101.csv")])
        #expect(state.status?.text == "Exporting the requests matching ~e dev ~m gpt to llmtrace-export-20261129-121101.csv…")
        state.send(.listExportFailed("server answered 400: bad filter"))
        #expect(state.listExport == nil)
        #expect(
            state.status == StatusMessage(text: "Export failed: server answered 400: bad filter", isError: true, expiresAt: state.status?.expiresAt)
        )
        #expect(state.frame().plainText.contains("Export failed: server answered 400: bad filter"))
    }

    @Test func theListExportIsInTheKeyMapAndTheHelp() {
        #expect(KeyMap.standard.command(for: .char("E"), in: [.list, .requests, .global]) == .exportList)
        #expect(KeyMap.standard.command(for: .char("E"), in: [.detail, .requests, .global]) == .exportList)
        var state = Fixtures.state(count: 1, width: 160, height: 80)
        state.press(.char("?"))
        #expect(state.frame().plainText.contains("Export every request the filter matches to a CSV file"))
    }

    @Test func quitWithQAndCtrlC() {
        var state = Fixtures.state(count: 1)
        #expect(state.press(.char("q")) == [.quit])
        #expect(state.press(.ctrl("c")) == [.quit])
        state.press(.char("/"))
        #expect(state.press(.char("q")) == [])
        #expect(state.filter.draft == "q")
        #expect(state.press(.ctrl("c")) == [.quit])
    }

    @Test func focusAndTabs() {
        var state = Fixtures.state(count: 3)
        state.press(.enter)
        #expect(state.focus == .detail)
        state.press(.char("]"), .char("l"), .char("l"))
        #expect(state.tab == .request)
        state.press(.char("["), .char("["))
        #expect(state.tab == .conversation)
        state.press(.char("h"), .char("h"))
        #expect(state.tab == .raw)  // wraps around
        state.press(.tab)
        #expect(state.focus == .list)
        state.press(.tab, .escape)
        #expect(state.focus == .list)
        state.press(.char("2"))
        #expect(state.screen == .stats)
        state.press(.char("1"))
        #expect(state.screen == .requests)
    }

    @Test func detailScrollsWhenFocused() {
        var state = Fixtures.state(count: 3, height: 30)
        let long = "{\"messages\":[" + (0..<80).map { "{\"role\":\"user\",\"content\":\"m\($0)\"}" }.joined(separator: ",") + "]}"
        state.press(.char("]"), .char("]"), .char("]"))  // Request tab
        state.send(.recordLoaded(Fixtures.record(Fixtures.summary(2), requestBody: long)))
        state.press(.enter, .char("j"), .char("j"))
        #expect(state.detailScroll == 2)
        state.press(.char("G"))
        let total = state.detailLineCount(width: state.layout.detailTextWidth)
        #expect(state.detailScroll == total - state.layout.detail.height)
        #expect(state.frame().plainText.contains("]"))
        state.press(.char("g"))
        #expect(state.detailScroll == 0)
        state.press(.pageDown)
        #expect(state.detailScroll == state.layout.detail.height)
    }

    @Test func connectionStateShowsInTheHeader() {
        var state = Fixtures.state(count: 1)
        #expect(state.frame().row(0).contains("connecting"))
        state.send(.connection(.live))
        #expect(state.frame().row(0).contains("● live"))
        state.send(.connection(.reconnecting(reason: "connection refused", attempt: 2, retryInSeconds: 0.5)))
        #expect(state.frame().row(0).contains("reconnecting (connection refused; retry 2 in 0.50s)"))
        state.send(.connection(.offline(reason: "wrong password")))
        let row = state.frame().row(0)
        #expect(row.contains("offline (wrong password)"))
        let x = state.frame().column(of: "offline", inRow: 0)!
        #expect(state.frame()[x, 0].style == state.theme.offline)
        var local = AppState(serverLabel: "http://127.0.0.1:8080", startedLocalServer: true, width: 120, height: 20)
        local.send(.connection(.live))
        #expect(local.frame().row(0).contains("local server started"))
    }

    @Test func anSSHConnectionNamesItsTargetAndADeadTunnel() {
        var state = AppState(serverLabel: "ssh me@prod-box → /run/user/1000/llmtrace.sock", width: 200, height: 20)
        state.send(.connection(.live))
        #expect(state.frame().row(0).contains("● live  ssh me@prod-box → /run/user/1000/llmtrace.sock"))
        state.send(
            .connection(
                .reconnecting(reason: "ssh tunnel closed (ssh exited 255: Connection reset by peer); reopening it", attempt: 1, retryInSeconds: 0.25)
            )
        )
        let row = state.frame().row(0)
        #expect(row.contains("◌ reconnecting (ssh tunnel closed (ssh exited 255: Connection reset by peer); reopening it; retry 1 in 0.25s)"))
        #expect(row.contains("ssh me@prod-box"))
    }

    @Test func resyncReloads() {
        var state = Fixtures.state(count: 1)
        #expect(state.send(.event(.resync)) == [.reload])
        // The reload replaces the list, keeping the selection when it is still there.
        state.send(.pageLoaded(Page(items: [Fixtures.summary(0), Fixtures.summary(3)], nextCursor: "c"), replace: true))
        #expect(state.visible.count == 2)
        #expect(state.selectedID == Fixtures.id(0))
    }

    @Test func statsSorting() {
        var state = Fixtures.state(
            count: 0,
            summaries: [
                Fixtures.summary(1, model: "a-model", cost: 0.5), Fixtures.summary(2, model: "b-model", cost: 0.1),
                Fixtures.summary(3, model: "b-model", cost: 0.1),
            ]
        )
        state.press(.char("2"))
        #expect(StatsTable.rows(state, byModel: true).map(\.name) == ["a-model", "b-model"])  // cost ▼
        state.press(.char("s"))
        #expect(state.statsSort.column == .avgLatency)
        state.press(.char("s"), .char("s"))
        #expect(state.statsSort.column == .errors)
        state.press(.char("s"))  // name ▲
        #expect(state.statsSort == StatsSort(column: .name, descending: false))
        #expect(StatsTable.rows(state, byModel: true).map(\.name) == ["a-model", "b-model"])
        state.press(.char("S"))
        #expect(StatsTable.rows(state, byModel: true).map(\.name) == ["b-model", "a-model"])
        state.press(.char("s"))  // requests ▼
        #expect(StatsTable.rows(state, byModel: true).map(\.name) == ["b-model", "a-model"])
    }
}
