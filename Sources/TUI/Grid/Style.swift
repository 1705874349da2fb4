/// How a cell looks: colours and attributes.
public struct Style: Sendable, Hashable {
    public var fg: Color
    public var bg: Color
    public var bold: Bool
    public var dim: Bool
    public var underline: Bool
    public var reverse: Bool

    public init(fg: Color = .default, bg: Color = .default, bold: Bool = false, dim: Bool = false, underline: Bool = false, reverse: Bool = false) {
        self.fg = fg
        self.bg = bg
        self.bold = bold
        self.dim = dim
        self.underline = underline
        self.reverse = reverse
    }

    /// Default colours, no attributes.
    public static let plain = Style()

    /// This style as a terminal with `mode` can show it: palette colours map to the nearest of the 16
    /// or 8 ANSI colours (bright ones become bold on 8). With `.none` (`NO_COLOR`) colours become
    /// `.default`, a red foreground (errors) becomes bold, and a bold style on a coloured background
    /// (badges, the active tab, key hints, error bars) becomes reverse, so they still stand out.
    public func downgraded(to mode: ColorMode) -> Style {
        var s = self
        switch mode {
        case .full: break
        case .sixteen:
            s.fg = fg.nearestSixteen
            s.bg = bg.nearestSixteen
        case .eight:
            s.fg = fg.nearestBasic
            s.bg = bg.nearestBasic
            if case .ansi(let n) = fg, n >= 8 { s.bold = true }
        case .none:
            if fg.nearestBasic == .red { s.bold = true }
            if bg != .default, bold { s.reverse = true }
            s.fg = .default
            s.bg = .default
        }
        return s
    }

    // MARK: Builders

    public func fg(_ c: Color) -> Style {
        var s = self
        s.fg = c
        return s
    }
    public func bg(_ c: Color) -> Style {
        var s = self
        s.bg = c
        return s
    }
    public func bolded(_ on: Bool = true) -> Style {
        var s = self
        s.bold = on
        return s
    }
    public func dimmed(_ on: Bool = true) -> Style {
        var s = self
        s.dim = on
        return s
    }
    public func underlined(_ on: Bool = true) -> Style {
        var s = self
        s.underline = on
        return s
    }
    public func reversed(_ on: Bool = true) -> Style {
        var s = self
        s.reverse = on
        return s
    }
}
