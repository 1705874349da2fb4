import Foundation

/// Pretty, coloured JSON: keys sorted, two-space indentation, long strings folded to one line as
/// `"start… (N chars)"`, numbers, strings, keys and literals in the theme's colours.
public enum JSONView {
    /// Bodies larger than this are not parsed (shown as text instead).
    public static let maxParseBytes = 8 << 20
    /// At most this many lines are produced; the rest is summarised in one line.
    public static let maxLines = 20_000

    /// Parses `text` with JSONSerialization; `nil` when it is not JSON.
    public static func parse(_ text: String) -> Any? {
        let trimmed = text.drop { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }
        guard let first = trimmed.first, "{[\"-0123456789tfn".contains(first), text.utf8.count <= maxParseBytes else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    /// Pretty lines of the JSON in `text` at `width` columns, or `nil` when it is not JSON.
    public static func lines(_ text: String, width: Int, theme: Theme) -> [StyledLine]? {
        guard let value = parse(text) else { return nil }
        return lines(value: value, width: width, theme: theme)
    }

    /// Pretty lines of a parsed JSON value.
    public static func lines(value: Any, width: Int, theme: Theme) -> [StyledLine] {
        var printer = Printer(theme: theme, width: max(20, width))
        printer.value(value, indent: 0, prefix: StyledLine(), suffix: "")
        if printer.truncatedLines > 0 {
            printer.out.append(StyledLine("… \(printer.truncatedLines)+ more lines not shown (see the Raw tab)", theme.dim))
        }
        return printer.out
    }

    /// One-line coloured JSON (sorted keys), for event streams; long strings folded at `foldAt` characters.
    public static func compactLine(value: Any, theme: Theme, foldAt: Int = 120) -> StyledLine {
        var line = StyledLine()
        compact(value, into: &line, theme: theme, foldAt: foldAt, depth: 0)
        return line
    }

    private static func compact(_ value: Any, into line: inout StyledLine, theme: Theme, foldAt: Int, depth: Int) {
        if let dict = value as? [String: Any] {
            line.append("{", theme.jsonPunctuation)
            for (i, key) in dict.keys.sorted().enumerated() {
                if i > 0 { line.append(",", theme.jsonPunctuation) }
                line.append(quote(key), theme.jsonKey)
                line.append(":", theme.jsonPunctuation)
                compact(dict[key]!, into: &line, theme: theme, foldAt: foldAt, depth: depth + 1)
            }
            line.append("}", theme.jsonPunctuation)
        } else if let array = value as? [Any] {
            line.append("[", theme.jsonPunctuation)
            for (i, v) in array.enumerated() {
                if i > 0 { line.append(",", theme.jsonPunctuation) }
                compact(v, into: &line, theme: theme, foldAt: foldAt, depth: depth + 1)
            }
            line.append("]", theme.jsonPunctuation)
        } else {
            let (text, style) = scalar(value, theme: theme, fold: foldAt)
            line.append(text, style)
        }
    }

    /// The text and style of a scalar; strings folded to `fold` characters of content.
    static func scalar(_ value: Any, theme: Theme, fold: Int) -> (String, Style) {
        switch value {
        case let s as String:
            let quoted = quote(s)
            if quoted.count > fold + 2 || TextMeasure.width(quoted) > fold + 2 {
                let suffix = "… (\(s.count) chars)\""
                let keep = max(8, fold - suffix.count)
                var head = TextMeasure.truncate(String(quoted.dropFirst()), to: keep).text
                if head.hasSuffix("…") { head.removeLast() }
                // Do not end inside an escape sequence.
                if let slash = head.lastIndex(of: "\\"), head.distance(from: slash, to: head.endIndex) < 6 {
                    head = String(head[..<slash])
                }
                return ("\"" + head + suffix, theme.jsonString)
            }
            return (quoted, theme.jsonString)
        case is NSNull:
            return ("null", theme.jsonLiteral)
        case let n as NSNumber:
            if isBool(n) { return (n.boolValue ? "true" : "false", theme.jsonLiteral) }
            let type = String(cString: n.objCType)
            if type == "d" || type == "f" {
                let d = n.doubleValue
                if d == d.rounded(), abs(d) < 1e15 { return (String(format: "%.1f", d), theme.jsonNumber) }
                return (String(d), theme.jsonNumber)
            }
            return (n.stringValue, theme.jsonNumber)
        default:
            return (String(describing: value), theme.text)
        }
    }

    static func isBool(_ n: NSNumber) -> Bool {
        let type = String(cString: n.objCType)
        return type == "c" || type == "B"
    }

    /// A JSON string literal for `s`.
    static func quote(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    private struct Printer {
        let theme: Theme
        let width: Int
        var out: [StyledLine] = []
        var truncatedLines = 0

        init(theme: Theme, width: Int) {
            self.theme = theme
            self.width = width
        }

        private mutating func emit(_ line: StyledLine) {
            if out.count >= JSONView.maxLines {
                truncatedLines += 1
            } else {
                out.append(line)
            }
        }

        /// Emits `value` whose first line starts with `prefix` (indentation and key) and whose last
        /// line ends with `suffix` (a comma or nothing).
        mutating func value(_ v: Any, indent: Int, prefix: StyledLine, suffix: String) {
            if truncatedLines > 0 {
                truncatedLines += 1
                return
            }
            let pad = String(repeating: " ", count: indent)
            if let dict = v as? [String: Any] {
                if dict.isEmpty { return scalarLine("{}", theme.jsonPunctuation, prefix: prefix, suffix: suffix) }
                var first = prefix
                first.append("{", theme.jsonPunctuation)
                emit(first)
                let keys = dict.keys.sorted()
                for (i, key) in keys.enumerated() {
                    var p = StyledLine(pad + "  ")
                    p.append(JSONView.quote(key), theme.jsonKey)
                    p.append(": ", theme.jsonPunctuation)
                    value(dict[key]!, indent: indent + 2, prefix: p, suffix: i < keys.count - 1 ? "," : "")
                }
                var last = StyledLine(pad)
                last.append("}" + suffix, theme.jsonPunctuation)
                emit(last)
            } else if let array = v as? [Any] {
                if array.isEmpty { return scalarLine("[]", theme.jsonPunctuation, prefix: prefix, suffix: suffix) }
                var first = prefix
                first.append("[", theme.jsonPunctuation)
                emit(first)
                for (i, item) in array.enumerated() {
                    value(item, indent: indent + 2, prefix: StyledLine(pad + "  "), suffix: i < array.count - 1 ? "," : "")
                }
                var last = StyledLine(pad)
                last.append("]" + suffix, theme.jsonPunctuation)
                emit(last)
            } else {
                let room = width - prefix.width - suffix.count
                let (text, style) = JSONView.scalar(v, theme: theme, fold: max(24, room - 2))
                scalarLine(text, style, prefix: prefix, suffix: suffix)
            }
        }

        private mutating func scalarLine(_ text: String, _ style: Style, prefix: StyledLine, suffix: String) {
            var line = prefix
            line.append(text, style)
            if !suffix.isEmpty { line.append(suffix, theme.jsonPunctuation) }
            emit(line)
        }
    }
}
