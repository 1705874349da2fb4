import Testing

@testable import TUI

@Suite struct KeyMapTests {
    @Test func helpIsGeneratedFromEveryBinding() {
        let map = KeyMap.standard
        let text = HelpOverlay.lines(for: map, theme: .standard).map(\.text).joined(separator: "\n")
        for b in map.bindings {
            #expect(text.contains(b.description), "\(b.description)")
            #expect(text.contains(b.keyLabel), "\(b.keyLabel)")
        }
        for context in KeyContext.allCases { #expect(text.contains(context.title)) }
    }

    @Test func helpOverlayShowsWithQuestionMarkAndClosesWithEscape() {
        var state = Fixtures.state()
        state.press(.char("?"))
        #expect(state.helpVisible)
        let frame = state.frame()
        #expect(frame.plainText.contains("Keys — Esc closes"))
        #expect(frame.plainText.contains("Select the next (older) request"))
        #expect(frame.plainText.contains("Esc close"))  // the footer lists help's keys
        state.press(.char("j"))
        #expect(state.helpScroll == 1)
        #expect(state.selectedPosition == 0)  // j scrolled help, not the list
        state.press(.escape)
        #expect(!state.helpVisible)
    }

    @Test func theRequiredKeysAreBound() {
        let map = KeyMap.standard
        let list: [KeyContext] = [.list, .requests, .global]
        let detail: [KeyContext] = [.detail, .requests, .global]
        #expect(map.command(for: .down, in: list) == .moveDown)
        #expect(map.command(for: .char("j"), in: list) == .moveDown)
        #expect(map.command(for: .char("k"), in: list) == .moveUp)
        #expect(map.command(for: .char("g"), in: list) == .top)
        #expect(map.command(for: .char("G"), in: list) == .bottom)
        #expect(map.command(for: .pageDown, in: list) == .pageDown)
        #expect(map.command(for: .ctrl("d"), in: list) == .halfPageDown)
        #expect(map.command(for: .ctrl("u"), in: list) == .halfPageUp)
        #expect(map.command(for: .enter, in: list) == .focusDetail)
        #expect(map.command(for: .tab, in: list) == .focusDetail)
        #expect(map.command(for: .tab, in: detail) == .focusList)
        #expect(map.command(for: .char("]"), in: detail) == .nextTab)
        #expect(map.command(for: .char("l"), in: list) == .nextTab)
        #expect(map.command(for: .char("["), in: list) == .previousTab)
        #expect(map.command(for: .char("h"), in: detail) == .previousTab)
        #expect(map.command(for: .char("1"), in: list) == .showRequests)
        #expect(map.command(for: .char("2"), in: list) == .showStats)
        #expect(map.command(for: .char("/"), in: list) == .startFilter)
        #expect(map.command(for: .char("F"), in: list) == .toggleFollow)
        #expect(map.command(for: .char("Z"), in: list) == .togglePause)
        #expect(map.command(for: .char("c"), in: list) == .clear)
        #expect(map.command(for: .char("e"), in: list) == .export)
        #expect(map.command(for: .char("?"), in: list) == .showHelp)
        #expect(map.command(for: .char("q"), in: list) == .quit)
        #expect(map.command(for: .ctrl("c"), in: list) == .quit)
        #expect(map.command(for: .char("s"), in: [.stats, .global]) == .sortNext)
        #expect(map.command(for: .char("S"), in: [.stats, .global]) == .sortReverse)
        // While typing a filter, letters are text; ctrl-c still quits.
        #expect(map.command(for: .char("q"), in: [.filter]) == nil)
        #expect(map.command(for: .ctrl("c"), in: [.filter]) == .quit)
    }

    @Test func footerShowsTheKeysThatWorkWhereYouAre() {
        var state = Fixtures.state(width: 160)
        var footer = state.frame().row(state.height - 1)
        #expect(footer.contains("j/k move"))
        #expect(footer.contains("/ filter"))
        #expect(footer.contains("Enter detail"))
        #expect(footer.contains("? help"))
        #expect(footer.contains("q quit"))
        state.press(.enter)
        footer = state.frame().row(state.height - 1)
        #expect(footer.contains("j/k scroll"))
        #expect(footer.contains("Enter list"))
        state.press(.enter, .char("/"))
        footer = state.frame().row(state.height - 1)
        #expect(footer.contains("Enter accept"))
        #expect(footer.contains("Esc clear"))
        #expect(!footer.contains("q quit"))
        state.press(.escape, .char("2"))
        footer = state.frame().row(state.height - 1)
        #expect(footer.contains("s sort"))
        #expect(footer.contains("S reverse"))
        state.press(.char("c"))
        footer = state.frame().row(state.height - 1)
        #expect(footer.contains("y yes"))
        #expect(footer.contains("n no"))
    }

    @Test func footerKeepsHelpAndQuitOnNarrowTerminals() {
        let state = Fixtures.state(width: 40)
        let footer = state.frame().row(state.height - 1)
        #expect(footer.contains("? help"))
        #expect(footer.contains("q quit"))
    }

    @Test func keysFromTerminalScalars() {
        #expect(Key(scalar: "a") == .char("a"))
        #expect(Key(scalar: "\u{3}") == .ctrl("c"))
        #expect(Key(scalar: "\u{4}") == .ctrl("d"))
        #expect(Key(scalar: "\t") == .tab)
        #expect(Key(scalar: "\r") == .enter)
        #expect(Key(scalar: "\u{1B}") == .escape)
        #expect(Key(scalar: "\u{7F}") == .backspace)
        #expect(Key(scalar: "中") == .char("中"))
        #expect(Key.ctrl("d").label == "^D")
        #expect(Key.pageUp.label == "PgUp")
    }
}
