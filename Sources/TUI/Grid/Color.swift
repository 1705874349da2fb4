/// A terminal colour: the terminal's default, one of the 16 ANSI colours, or an entry of the 256-colour palette.
public enum Color: Sendable, Hashable {
    /// The terminal's own foreground or background.
    case `default`
    /// ANSI colour 0…15 (0 black, 1 red, 2 green, 3 yellow, 4 blue, 5 magenta, 6 cyan, 7 white, 8…15 bright).
    case ansi(UInt8)
    /// xterm 256-colour palette entry 0…255.
    case palette(UInt8)

    public static let black = Color.ansi(0)
    public static let red = Color.ansi(1)
    public static let green = Color.ansi(2)
    public static let yellow = Color.ansi(3)
    public static let blue = Color.ansi(4)
    public static let magenta = Color.ansi(5)
    public static let cyan = Color.ansi(6)
    public static let white = Color.ansi(7)
    public static let brightBlack = Color.ansi(8)

    /// The colour as a 256-palette index (`nil` for `.default`); ANSI 0…15 are palette 0…15.
    public var paletteIndex: Int? {
        switch self {
        case .default: nil
        case .ansi(let n): Int(n & 15)
        case .palette(let n): Int(n)
        }
    }

    /// The nearest of the 8 basic ANSI colours (0…7). Bright ANSI colours map to their normal ones,
    /// palette entries to the basic colour nearest in RGB.
    public var nearestBasic: Color {
        switch self {
        case .default: return .default
        case .ansi(let n): return .ansi(n & 7)
        case .palette(let n):
            if n < 16 { return .ansi(n & 7) }
            let (r, g, b) = Self.rgb(ofPalette: Int(n))
            return .ansi(UInt8(Self.nearestBasicIndex(r: r, g: g, b: b)))
        }
    }

    /// The nearest of the 16 ANSI colours (0…15).
    public var nearestSixteen: Color {
        switch self {
        case .default: return .default
        case .ansi(let n): return .ansi(n & 15)
        case .palette(let n):
            if n < 16 { return .ansi(n) }
            let (r, g, b) = Self.rgb(ofPalette: Int(n))
            var best = 0
            var bestDistance = Int.max
            for i in 0..<16 {
                let (cr, cg, cb) = Self.rgb(ofPalette: i)
                let d = (cr - r) * (cr - r) + (cg - g) * (cg - g) + (cb - b) * (cb - b)
                if d < bestDistance {
                    bestDistance = d
                    best = i
                }
            }
            return .ansi(UInt8(best))
        }
    }

    /// Approximate RGB of a palette entry (xterm's values).
    static func rgb(ofPalette n: Int) -> (Int, Int, Int) {
        switch n {
        case 0..<16:
            let base: [(Int, Int, Int)] = [
                (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
                (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
            ]
            return base[n]
        case 16..<232:
            let i = n - 16
            let steps = [0, 95, 135, 175, 215, 255]
            return (steps[i / 36], steps[(i / 6) % 6], steps[i % 6])
        default:
            let v = 8 + (n - 232) * 10
            return (v, v, v)
        }
    }

    /// The basic colour (0…7) nearest to an RGB value (xterm's values for the 8 colours).
    static func nearestBasicIndex(r: Int, g: Int, b: Int) -> Int {
        var best = 0
        var bestDistance = Int.max
        for i in 0..<8 {
            let (cr, cg, cb) = rgb(ofPalette: i)
            let d = (cr - r) * (cr - r) + (cg - g) * (cg - g) + (cb - b) * (cb - b)
            if d < bestDistance {
                bestDistance = d
                best = i
            }
        }
        return best
    }
}

/// How many colours the terminal can show; see ``Style/downgraded(to:)``.
public enum ColorMode: Sendable, Hashable {
    /// No colour at all (`NO_COLOR`, or a terminal without colours): attributes only.
    case none
    /// The 8 basic ANSI colours.
    case eight
    /// The 16 ANSI colours.
    case sixteen
    /// The xterm 256-colour palette.
    case full

    /// The mode for a terminal reporting `colors` colours (ncurses' `COLORS`), honouring `NO_COLOR`.
    public static func forTerminal(colors: Int, noColor: Bool) -> ColorMode {
        if noColor || colors < 8 { return .none }
        if colors >= 256 { return .full }
        if colors >= 16 { return .sixteen }
        return .eight
    }
}
