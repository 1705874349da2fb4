import Foundation
import LLMTraceModel
import Testing

@testable import TUI

@Suite struct FilterEditingTests {
    static func mixed() -> AppState {
        Fixtures.state(summaries: [
            Fixtures.summary(1, model: "gpt-4o"),
            Fixtures.summary(2, model: "claude-sonnet-4", status: 429, error: TraceError(type: "rate_limit", message: "slow down")),
            Fixtures.summary(3, model: "gpt-4o-mini"), Fixtures.summary(4, model: "claude-haiku"),
        ])
    }

    @Test func validFilterAppliesAsYouType() {
        var state = Self.mixed()
        state.press(.char("/"))
        #expect(state.filter.editing)
        state.type("~m gpt")
        #expect(state.filter.error == nil)
        #expect(state.filter.appliedText == "~m gpt")
        #expect(state.visible.count == 2)
        let frame = state.frame()
        #expect(frame.plainText.contains("/ ~m gpt"))
        #expect(frame.plainText.contains("✓ 2 matches"))
        #expect(!frame.plainText.contains("claude"))
        state.press(.enter)
        #expect(!state.filter.editing)
        #expect(state.frame().plainText.contains("filter ~m gpt  2 of 4"))
    }

    @Test func invalidFilterShowsTheErrorInRedAndKeepsTheList() {
        var state = Self.mixed()
        state.press(.char("/"))
        state.type("~m gpt")
        #expect(state.visible.count == 2)
        state.type(" & (")
        #expect(state.filter.error != nil)
        #expect(state.filter.appliedText == "~m gpt ")  // the last valid text ("~m gpt " parsed) stays in force
        #expect(state.filter.expression == (try! FilterParser.parse("~m gpt")))
        #expect(state.visible.count == 2)  // the list is not emptied
        let frame = state.frame()
        let y = frame.rowIndex(containing: "✗")!
        let row = frame.row(y)
        #expect(row.contains("✗ column 10: "))
        let x = frame.column(of: "✗", inRow: y)!
        #expect(frame[x, y].style == state.theme.filterInvalid)
        #expect(frame.plainText.contains("gpt-4o-mini"))
        // Enter does not accept an invalid filter.
        state.press(.enter)
        #expect(state.filter.editing)
        #expect(state.status?.isError == true)
        // Fixing it applies again.
        state.press(.backspace, .backspace, .backspace, .backspace)
        #expect(state.filter.error == nil)
        #expect(state.filter.draft == "~m gpt")
    }

    @Test func unknownOperatorErrorNamesTheColumn() {
        var state = Self.mixed()
        state.press(.char("/"))
        state.type("~err ~zz")
        let error = try! #require(state.filter.error)
        #expect(error.kind == .unknownOperator)
        #expect(error.position == 5)
        #expect(state.frame().plainText.contains("✗ column 6: Unknown operator ~zz"))
        // The mistake is underlined.
        let frame = state.frame()
        let y = frame.rowIndex(containing: "/ ~err ~zz")!
        let x = frame.column(of: "~zz", inRow: y)!
        #expect(frame[x, y].style.underline)
        #expect(state.visible.count == 1)  // "~err" applied while it was valid
    }

    @Test func escapeClearsTheFilter() {
        var state = Self.mixed()
        state.press(.char("/"))
        state.type("~err")
        #expect(state.visible.count == 1)
        state.press(.escape)
        #expect(!state.filter.editing)
        #expect(state.visible.count == 4)
        #expect(state.filter.appliedText == "")
        // Esc in the list clears an accepted filter.
        state.press(.char("/"))
        state.type("~m claude")
        state.press(.enter)
        #expect(state.visible.count == 2)
        state.press(.escape)
        #expect(state.visible.count == 4)
    }

    @Test func editingKeys() {
        var state = Self.mixed()
        state.press(.char("/"))
        state.type("~m gpt")
        state.press(.home, .delete, .delete, .delete)
        #expect(state.filter.draft == "gpt")
        state.press(.end, .left, .backspace)
        #expect(state.filter.draft == "gt")
        #expect(state.filter.cursor == 1)
        state.press(.end)
        state.type(" foo")
        state.press(.ctrl("w"))
        #expect(state.filter.draft == "gt ")
        state.press(.ctrl("u"))
        #expect(state.filter.draft == "")
    }

    @Test func newRequestsAreFilteredToo() {
        var state = Self.mixed()
        state.press(.char("/"))
        state.type("~m claude")
        state.press(.enter)
        state.send(.event(.started(Fixtures.started(10, model: "gpt-4o"))))
        #expect(state.visible.count == 2)
        state.send(.event(.started(Fixtures.started(11, model: "claude-opus"))))
        #expect(state.visible.count == 3)
        // A completion that stops matching leaves the list.
        state.press(.escape, .char("/"))
        state.type("!~done")
        state.press(.enter)
        #expect(state.visible.all == [Fixtures.id(11), Fixtures.id(10)])
        state.send(.event(.completed(Fixtures.summary(11, model: "claude-opus"))))
        #expect(state.visible.all == [Fixtures.id(10)])
    }

    @Test func filterThatMatchesNothingSaysSo() {
        var state = Self.mixed()
        state.press(.char("/"))
        state.type("~m nothing-like-this")
        state.press(.enter)
        #expect(state.visible.isEmpty)
        #expect(state.selectedID == nil)
        #expect(state.frame().plainText.contains("No request matches the filter (4 held)"))
    }

    @Test func largeListsAreFilteredInSteps() {
        var state = Fixtures.state(count: 50)
        state.filterStep = 10
        state.press(.char("j"), .char("j"))  // select id 47
        state.press(.char("/"))
        state.type("~m gpt")  // every request matches
        #expect(state.hasPendingWork)
        #expect(state.visible.count == 10)  // the first step
        #expect(state.selectedID == Fixtures.id(47))
        #expect(state.frame().plainText.contains("so far (20% checked)"))
        state.send(.work)
        #expect(state.visible.count == 20)
        // Live events during the scan are filtered as usual.
        state.send(.event(.started(Fixtures.started(99, model: "gpt-4o"))))
        state.send(.event(.started(Fixtures.started(98, model: "claude"))))
        state.send(.tick(state.now))
        state.send(.work)
        while state.hasPendingWork { state.send(.work) }
        #expect(state.visible.count == 51)
        #expect(state.visible.all == ([99] + (0..<50).reversed()).map { Fixtures.id($0) })
        #expect(state.selectedID == Fixtures.id(47))
    }
}
