/// Measuring, cutting and wrapping text by display width.
public enum TextMeasure {
    /// `text` cut to at most `width` columns, ending with `…` when it was cut; and its width.
    public static func truncate(_ text: some StringProtocol, to width: Int) -> (text: String, width: Int) {
        guard width > 0 else { return ("", 0) }
        var used = 0
        var end = text.startIndex
        var lastFit = text.startIndex  // end of the prefix that leaves room for the ellipsis
        var lastFitWidth = 0
        var i = text.startIndex
        while i < text.endIndex {
            let ch = text[i]
            let w = charWidth(ch)
            if used + w > width {
                return (String(text[..<lastFit]) + "…", lastFitWidth + 1)
            }
            used += w
            i = text.index(after: i)
            end = i
            if used <= width - 1 {
                lastFit = end
                lastFitWidth = used
            }
        }
        return (String(text[..<end]), used)
    }

    /// Width of one character as ``CellGrid/put(_:x:y:style:maxWidth:)`` draws it (controls take 1).
    @inline(__always)
    static func charWidth(_ ch: Character) -> Int {
        if let a = ch.asciiValue { return a == 0x0A || a == 0x0D ? 0 : 1 }
        let w = DisplayWidth.of(ch)
        if w == 0, let s = ch.unicodeScalars.first, s.properties.generalCategory == .control { return 1 }
        return w
    }

    /// Width of a string as ``CellGrid/put(_:x:y:style:maxWidth:)`` draws it.
    public static func width(_ text: some StringProtocol) -> Int {
        var total = 0
        for ch in text { total += charWidth(ch) }
        return total
    }

    /// `text` padded with spaces (or cut with `…`) to exactly `width` columns.
    public static func pad(_ text: some StringProtocol, to width: Int, alignRight: Bool = false) -> String {
        let t = truncate(text, to: width)
        let spaces = String(repeating: " ", count: max(0, width - t.width))
        return alignRight ? spaces + t.text : t.text + spaces
    }

    /// Expands tabs to the next multiple of `tabWidth` and drops carriage returns.
    public static func expandTabs(_ line: some StringProtocol, tabWidth: Int = 4) -> String {
        guard line.contains("\t") || line.contains("\r") else { return String(line) }
        var out = ""
        var col = 0
        for ch in line {
            if ch == "\t" {
                let n = tabWidth - col % tabWidth
                out += String(repeating: " ", count: n)
                col += n
            } else if ch == "\r" {
                continue
            } else {
                out.append(ch)
                col += charWidth(ch)
            }
        }
        return out
    }
}
