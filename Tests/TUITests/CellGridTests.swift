import Testing

@testable import TUI

@Suite struct CellGridTests {
    @Test func putWritesTextAndReturnsNextColumn() {
        var g = CellGrid(width: 10, height: 2)
        let end = g.put("hello", x: 2, y: 1, style: Style(fg: .red))
        #expect(end == 7)
        #expect(g.plainText == "\n  hello")
        #expect(g[2, 1].style.fg == .red)
        #expect(g[7, 1] == .blank)
    }

    @Test func wideCharactersTakeTwoCells() {
        var g = CellGrid(width: 10, height: 1)
        let end = g.put("中文a", x: 0, y: 0)
        #expect(end == 5)
        #expect(g[0, 0].character == "中")
        #expect(g[1, 0].character == "")
        #expect(g[1, 0].isContinuation)
        #expect(g[2, 0].character == "文")
        #expect(g[4, 0].character == "a")
        #expect(g.plainText == "中文a")
    }

    @Test func wideCharacterStraddlingTheRightEdgeBecomesASpace() {
        var g = CellGrid(width: 5, height: 1, fill: Cell("#"))
        g.put("ab中文", x: 0, y: 0)
        // "中" takes columns 2–3; "文" would need 4–5 but only 4 exists.
        #expect(g[2, 0].character == "中")
        #expect(g[3, 0].character == "")
        #expect(g[4, 0].character == " ")
        #expect(g.row(0) == "ab中 ")
    }

    @Test func wideCharacterStraddlingMaxWidthBecomesASpace() {
        var g = CellGrid(width: 8, height: 1, fill: Cell("#"))
        let end = g.put("中中", x: 0, y: 0, maxWidth: 3)
        #expect(end == 3)
        #expect(g.row(0) == "中 #####")
    }

    @Test func emojiAndClusters() {
        var g = CellGrid(width: 20, height: 1)
        var x = g.put("👍", x: 0, y: 0)
        #expect(x == 2)
        x = g.put("❤️", x: x, y: 0)  // VS16: emoji presentation
        #expect(x == 4)
        x = g.put("e\u{301}", x: x, y: 0)  // combining acute: one cell
        #expect(x == 5)
        #expect(g[4, 0].character == "e\u{301}")
        x = g.put("👨‍👩‍👧", x: x, y: 0)  // ZWJ family
        #expect(x == 7)
        x = g.put("🇫🇷", x: x, y: 0)
        #expect(x == 9)
        x = g.put("\u{200B}x", x: x, y: 0)  // zero-width space dropped
        #expect(x == 10)
    }

    @Test func controlCharactersAreVisibleAndTabsAreSpaces() {
        var g = CellGrid(width: 6, height: 1)
        g.put("a\tb\u{1}c", x: 0, y: 0)
        #expect(g.row(0) == "a b\u{FFFD}c ")
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var g = CellGrid(width: 6, height: 1)
        g.put("中文", x: 0, y: 0)
        g.put("x", x: 1, y: 0)  // right half of 中
        #expect(g.row(0) == " x文  ")
        g.put("y", x: 2, y: 0)  // left half of 文
        #expect(g.row(0) == " xy   ")
        #expect(g[3, 0].character == " ")
        // A wide character written over the left half of another.
        var h = CellGrid(width: 6, height: 1)
        h.put("a中", x: 0, y: 0)
        h.put("文", x: 0, y: 0)
        #expect(h.row(0) == "文    ")
    }

    @Test func drawingIsClippedToTheGrid() {
        var g = CellGrid(width: 4, height: 2)
        g.put("abcdef", x: -2, y: 0)
        g.put("zzz", x: 0, y: 5)
        g.fill(Rect(x: 3, y: 1, width: 10, height: 10), character: "#")
        #expect(g.plainText == "cdef\n   #")
        var h = CellGrid(width: 4, height: 1)
        h.put("中x", x: -1, y: 0)  // the visible right half of a wide char
        #expect(h.row(0) == " x  ")
    }

    @Test func fieldsTruncateWithEllipsisAndPad() {
        var g = CellGrid(width: 12, height: 3)
        g.putField("hello world", x: 0, y: 0, width: 8)
        g.putField("42", x: 0, y: 1, width: 5, alignRight: true)
        g.putField("中文中文", x: 0, y: 2, width: 6)
        #expect(g.row(0) == "hello w…    ")
        #expect(g.row(1) == "   42       ")
        #expect(g.row(2).hasPrefix("中文… "))
        #expect(TextMeasure.truncate("中文字", to: 4).text == "中…")
        #expect(TextMeasure.truncate("中文字", to: 4).width == 3)
        #expect(TextMeasure.truncate("abc", to: 3).text == "abc")
        #expect(TextMeasure.truncate("abcd", to: 1).text == "…")
    }

    @Test func boxAndLines() {
        var g = CellGrid(width: 8, height: 3)
        g.box(g.bounds, title: "T")
        #expect(g.plainText == "┌─ T ──┐\n│      │\n└──────┘")
    }

    @Test func diffReportsOnlyChangedCells() {
        var a = CellGrid(width: 5, height: 2)
        a.put("hello", x: 0, y: 0)
        var b = a
        b.put("J", x: 0, y: 0)
        b.put("!", x: 4, y: 1, style: Style(bold: true))
        let changes = b.diff(from: a)
        #expect(changes.count == 2)
        #expect(changes[0].x == 0 && changes[0].y == 0 && changes[0].cell.character == "J")
        #expect(changes[1].x == 4 && changes[1].y == 1 && changes[1].cell.style.bold)
        #expect(a.diff(from: a).isEmpty)
        // A style-only change counts.
        var c = a
        c.restyle(Rect(x: 1, y: 0, width: 1, height: 1)) { $0.reversed() }
        #expect(c.diff(from: a).map(\.x) == [1])
        // A different size repaints everything.
        #expect(CellGrid(width: 2, height: 2).diff(from: a).count == 4)
    }

    @Test func styledLinesWrapAtSpacesAndInsideLongWords() {
        let line = StyledLine([Span("hello ", Style(bold: true)), Span("wonderful world")])
        let wrapped = line.wrapped(to: 10)
        #expect(wrapped.map(\.text) == ["hello", "wonderful", "world"])
        #expect(wrapped[0].spans[0].style.bold)
        #expect(StyledLine("abcdefghij").wrapped(to: 4).map(\.text) == ["abcd", "efgh", "ij"])
        #expect(StyledLine("中文中文中").wrapped(to: 5).map(\.text) == ["中文", "中文", "中"])
        #expect(StyledLine("  indented long line").wrapped(to: 12).map(\.text) == ["  indented", "long line"])
    }

    @Test func stylesDowngrade() {
        let s = Style(fg: .palette(196), bg: .palette(18), bold: false)
        #expect(s.downgraded(to: .full) == s)
        let eight = s.downgraded(to: .eight)
        #expect(eight.fg == .ansi(1))
        #expect(eight.bg == .ansi(4))
        let none = s.downgraded(to: .none)
        #expect(none.fg == .default && none.bg == .default)
        #expect(none.bold)  // red text stays noticeable
        #expect(!none.reverse)
        // A bold badge on a coloured background stays visible as reverse video.
        #expect(Theme.standard.badge.downgraded(to: .none).reverse)
        #expect(Theme.standard.selected.downgraded(to: .none).reverse)
        #expect(Style(bg: .palette(214)).downgraded(to: .eight).bg == .ansi(3))
        #expect(Style(fg: .palette(46)).downgraded(to: .eight).fg == .ansi(2))
        #expect(Style(fg: .palette(250)).downgraded(to: .eight).fg == .ansi(7))
        #expect(Style(fg: .palette(236)).downgraded(to: .eight).fg == .ansi(0))
        #expect(Style(fg: .ansi(9)).downgraded(to: .eight).fg == .ansi(1))
        #expect(Style(fg: .palette(196)).downgraded(to: .sixteen).fg == .ansi(9))
        #expect(ColorMode.forTerminal(colors: 256, noColor: false) == .full)
        #expect(ColorMode.forTerminal(colors: 8, noColor: false) == .eight)
        #expect(ColorMode.forTerminal(colors: 256, noColor: true) == ColorMode.none)
    }
}

@Suite struct DisplayWidthTests {
    @Test(
        arguments: [
            ("a", 1), ("é", 1), ("e\u{301}", 1), ("中", 2), ("한", 2), ("ｱ", 1), ("Ａ", 2), ("　", 2), ("😀", 2), ("👍🏽", 2),
            ("❤", 1), ("❤️", 2), ("#️⃣", 2), ("🇯🇵", 2), ("👩‍💻", 2), ("\u{200D}", 0), ("\u{FE0F}", 0), ("\u{301}", 0),
            ("\u{AD}", 1), ("→", 1), ("─", 1), ("⠋", 1), ("𠀀", 2), ("ᄀ\u{1161}", 2),
        ] as [(String, Int)]
    )
    func widthOfCharacters(text: String, width: Int) {
        #expect(text.count == 1)
        #expect(DisplayWidth.of(Character(text)) == width, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
    }

    @Test func widthOfStrings() {
        #expect(DisplayWidth.of("hello") == 5)
        #expect(DisplayWidth.of("日本語 text") == 11)
        #expect(DisplayWidth.of("") == 0)
        #expect(TextMeasure.width("a\u{1}b") == 3)
    }
}
