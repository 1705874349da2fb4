/// A run of text in one style.
public struct Span: Sendable, Hashable {
    public var text: String
    public var style: Style

    public init(_ text: String, _ style: Style = .plain) {
        self.text = text
        self.style = style
    }
}

/// One line of styled text (no newlines inside).
public struct StyledLine: Sendable, Hashable, ExpressibleByStringLiteral {
    public var spans: [Span]

    public init(_ spans: [Span] = []) { self.spans = spans }
    public init(_ text: String, _ style: Style = .plain) { spans = [Span(text, style)] }
    public init(stringLiteral value: String) { spans = [Span(value)] }

    /// The text without styles.
    public var text: String { spans.map(\.text).joined() }
    /// Display width.
    public var width: Int { spans.reduce(0) { $0 + TextMeasure.width($1.text) } }

    public mutating func append(_ text: String, _ style: Style = .plain) {
        guard !text.isEmpty else { return }
        if let last = spans.last, last.style == style {
            spans[spans.count - 1].text += text
        } else {
            spans.append(Span(text, style))
        }
    }

    public static let empty = StyledLine()

    /// The line cut to at most `width` columns, ending with `…` (in the last span's style) when cut.
    public func truncated(to width: Int) -> StyledLine {
        guard self.width > width else { return self }
        guard width > 0 else { return StyledLine() }
        var out = StyledLine()
        var used = 0
        for span in spans {
            let w = TextMeasure.width(span.text)
            if used + w <= width - 1 {
                out.spans.append(span)
                used += w
                continue
            }
            let cut = TextMeasure.truncate(span.text, to: width - used)
            out.spans.append(Span(cut.text, span.style))
            return out
        }
        return out
    }

    /// The line broken into lines of at most `width` columns: at spaces where possible, inside long
    /// words otherwise. `indent` (display columns of spaces, in `indentStyle`) starts each continuation line.
    public func wrapped(to width: Int, continuationIndent indent: Int = 0, indentStyle: Style = .plain) -> [StyledLine] {
        guard width > 0 else { return [self] }
        // Fast path: fits already.
        var total = 0
        for span in spans {
            total += TextMeasure.width(span.text)
            if total > width { break }
        }
        if total <= width { return [self] }

        // Flatten to (character, width, style) and break greedily.
        var chars: [(Character, Int, Style)] = []
        chars.reserveCapacity(total)
        for span in spans {
            for ch in span.text { chars.append((ch, TextMeasure.charWidth(ch), span.style)) }
        }
        var lines: [StyledLine] = []
        var start = 0
        var first = true
        let effectiveIndent = indent < width / 2 ? indent : 0
        while start < chars.count {
            let avail = first ? width : width - effectiveIndent
            var used = 0
            var end = start
            var lastBreak = -1  // index after a space that follows some text (not indentation)
            var seenText = false
            while end < chars.count {
                let w = chars[end].1
                if used + w > avail { break }
                used += w
                if chars[end].0 == " " {
                    if seenText { lastBreak = end + 1 }
                } else {
                    seenText = true
                }
                end += 1
            }
            if end < chars.count, lastBreak > start {
                end = lastBreak
            }
            if end == start { end = start + 1 }  // a character wider than the line: take it anyway
            var line = StyledLine()
            if !first, effectiveIndent > 0 { line.append(String(repeating: " ", count: effectiveIndent), indentStyle) }
            var k = start
            while k < end {
                let style = chars[k].2
                var run = ""
                while k < end, chars[k].2 == style {
                    run.append(chars[k].0)
                    k += 1
                }
                line.append(run, style)
            }
            // Drop the spaces the line was broken at.
            if end < chars.count, var lastSpan = line.spans.last {
                while lastSpan.text.last == " " { lastSpan.text.removeLast() }
                line.spans[line.spans.count - 1] = lastSpan
            }
            lines.append(line)
            start = end
            first = false
        }
        return lines.isEmpty ? [StyledLine()] : lines
    }
}

extension Array where Element == StyledLine {
    /// Every line wrapped to `width`.
    public func wrapped(to width: Int, continuationIndent: Int = 0) -> [StyledLine] {
        var out: [StyledLine] = []
        out.reserveCapacity(count)
        for line in self { out.append(contentsOf: line.wrapped(to: width, continuationIndent: continuationIndent)) }
        return out
    }
}
