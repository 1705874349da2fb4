import CNcursesw
import Foundation

/// The one place that talks to ncurses: sets the terminal up, reads keys, paints changed cells, and
/// restores the terminal. Every call happens on the thread that created it.
final class NcursesTerminal {
    private(set) var width = 0
    private(set) var height = 0
    let colorMode: ColorMode
    private var pairs: [PairKey: Int16] = [:]
    private var previous: CellGrid?
    private var open = true

    private struct PairKey: Hashable {
        var fg: Int16
        var bg: Int16
    }

    /// Initialises ncurses. `noColor` forces monochrome (NO_COLOR).
    init(noColor: Bool) {
        // Without a UTF-8 locale, wide characters turn to garbage.
        if setlocale(LC_ALL, "") == nil || !Self.localeIsUTF8() {
            setlocale(LC_ALL, "C.UTF-8")
        }
        initscr()
        raw()
        noecho()
        nonl()
        keypad(llmtrace_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        wtimeout(llmtrace_stdscr(), 50)
        if !noColor, has_colors() {
            start_color()
            use_default_colors()
        }
        colorMode = ColorMode.forTerminal(colors: has_colors() ? Int(llmtrace_colors()) : 0, noColor: noColor)
        width = Int(llmtrace_cols())
        height = Int(llmtrace_lines())
    }

    private static func localeIsUTF8() -> Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }

    /// Restores the terminal. Safe to call more than once.
    func close() {
        guard open else { return }
        open = false
        curs_set(1)
        endwin()
    }

    deinit { close() }

    /// Gives the terminal back from a crash handler (best effort).
    static func emergencyRestore() {
        endwin()
    }

    /// The next key, or `nil` after the 50 ms tick passes without one.
    func readKey() -> Key? {
        var ch: wint_t = 0
        let result = wget_wch(llmtrace_stdscr(), &ch)
        if result == llmtrace_err() { return nil }
        if result == llmtrace_key_code_yes() {
            return Self.functionKey(Int32(ch))
        }
        return Self.characterKey(UInt32(ch))
    }

    /// Whether the terminal size changed; updates `width` and `height`.
    func refreshSize() -> Bool {
        let w = Int(getmaxx(llmtrace_stdscr()))
        let h = Int(getmaxy(llmtrace_stdscr()))
        guard w != width || h != height else { return false }
        width = w
        height = h
        previous = nil
        werase(llmtrace_stdscr())
        return true
    }

    /// Paints the cells that changed since the last frame, then one doupdate.
    func paint(_ grid: CellGrid) {
        let changes = previous.map { grid.diff(from: $0) } ?? grid.diff(from: CellGrid(width: grid.width, height: grid.height, fill: Cell("\u{0}")))
        for (x, y, cell) in changes where !cell.isContinuation {
            let style = cell.style.downgraded(to: colorMode)
            var attrs = llmtrace_a_normal()
            if style.bold { attrs |= llmtrace_a_bold() }
            if style.dim { attrs |= llmtrace_a_dim() }
            if style.underline { attrs |= llmtrace_a_underline() }
            if style.reverse { attrs |= llmtrace_a_reverse() }
            let pair = colorPair(style)
            var scalars = cell.character.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
            scalars.append(0)
            _ = scalars.withUnsafeBufferPointer { llmtrace_put_cell(Int32(y), Int32(x), $0.baseAddress, attrs, pair) }
        }
        previous = grid
        wnoutrefresh(llmtrace_stdscr())
        doupdate()
    }

    private func colorPair(_ style: Style) -> Int16 {
        guard colorMode != .none else { return 0 }
        let key = PairKey(fg: Self.number(style.fg), bg: Self.number(style.bg))
        if key.fg == -1 && key.bg == -1 { return 0 }
        if let pair = pairs[key] { return pair }
        let next = Int16(pairs.count + 1)
        guard Int32(next) < llmtrace_color_pairs() else { return 0 }
        init_pair(next, key.fg, key.bg)
        pairs[key] = next
        return next
    }

    private static func number(_ color: Color) -> Int16 {
        switch color {
        case .default: return -1
        case .ansi(let n): return Int16(n)
        case .palette(let n): return Int16(n)
        }
    }

    static func characterKey(_ c: UInt32) -> Key? {
        Unicode.Scalar(c).flatMap(Key.init(scalar:))
    }

    static func functionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_NPAGE: return .pageDown
        case KEY_PPAGE: return .pageUp
        case KEY_BTAB: return .backTab
        case KEY_BACKSPACE: return .backspace
        case KEY_ENTER: return .enter
        case llmtrace_key_resize(): return .resize
        case KEY_F0...(KEY_F0 + 12): return .f(Int(code - KEY_F0))
        default: return nil
        }
    }
}
