/// A key press, as the driver decodes it from the terminal.
public enum Key: Sendable, Hashable {
    /// A printable character (`"j"`, `"G"`, `"/"`, `"é"`, `"中"`).
    case char(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, tab, backTab, escape, backspace, delete, insert
    /// Control plus a letter, lower-case: `.ctrl("c")` is ctrl-c.
    case ctrl(Character)
    /// The terminal was resized (ncurses' `KEY_RESIZE`); the driver also dispatches ``Action/resize(width:height:)``.
    case resize
    /// Function key F1…F12.
    case f(Int)

    /// The key for a character the terminal sent (ncurses' `get_wch` returning `OK`): control codes
    /// become ``ctrl(_:)``, ``tab``, ``enter``, ``escape`` or ``backspace``; `nil` for other controls.
    public init?(scalar: Unicode.Scalar) {
        switch scalar.value {
        case 9: self = .tab
        case 10, 13: self = .enter
        case 27: self = .escape
        case 8, 127: self = .backspace
        case 0: self = .ctrl(" ")
        case 1...26: self = .ctrl(Character(Unicode.Scalar(scalar.value + 0x60)!))
        case 0..<32, 0x80..<0xA0: return nil
        default: self = .char(Character(scalar))
        }
    }

    /// How help and the footer write the key: `j`, `↑`, `PgUp`, `Enter`, `^D`, `F1`.
    public var label: String {
        switch self {
        case .char(" "): return "Space"
        case .char(let c): return String(c)
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "Enter"
        case .tab: return "Tab"
        case .backTab: return "S-Tab"
        case .escape: return "Esc"
        case .backspace: return "Bksp"
        case .delete: return "Del"
        case .insert: return "Ins"
        case .ctrl(let c): return "^" + String(c).uppercased()
        case .resize: return "Resize"
        case .f(let n): return "F\(n)"
        }
    }
}
