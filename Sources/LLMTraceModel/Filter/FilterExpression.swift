import Foundation

/// A parsed filter (see docs/FILTERS.md): the syntax tree ``FilterParser/parse(_:)`` returns.
///
/// `and` and `or` are n-ary and flattened (`a & (b & c)` is `.and([a, b, c])`) and double negations
/// are removed, so trees stay shallow however long the filter is. ``description`` prints a canonical
/// form that parses back to an equal expression.
public indirect enum FilterExpression: Sendable, Equatable, CustomStringConvertible {
    /// Matches every record: the empty filter, or `~all`.
    case all
    /// Free text: a case-insensitive substring of the path, model, response text or error message.
    case text(String)
    /// `~m`, `~e`, `~p`, `~h`: a text field against a value or a regex.
    case field(TextField, TextPattern)
    /// `~s 200`, `~s 4xx`.
    case status(StatusPattern)
    /// `~err`, `~stream`, `~done`.
    case flag(Flag)
    /// `~tok>1000`, `~cost>0.01`, `~ms<=250`, …; records where the number is unknown never match.
    case compare(NumericField, Comparison, Double)
    /// `!x`.
    case not(FilterExpression)
    /// `x & y` or `x y`; `.and([])` matches everything.
    case and([FilterExpression])
    /// `x | y`; `.or([])` matches nothing.
    case or([FilterExpression])

    /// The text fields `~m`, `~e`, `~p`, `~h` and `~session` look at.
    public enum TextField: String, Sendable, Equatable, CaseIterable {
        /// `~m`: the model; case-insensitive substring.
        case model = "m"
        /// `~e`: the environment; case-insensitive, whole value (`~e prod` does not match `preprod`).
        case env = "e"
        /// `~p`: the provider; case-insensitive substring (`~p openai` also matches `azure-openai`).
        case provider = "p"
        /// `~h`: the upstream host; case-insensitive substring.
        case host = "h"
        /// `~session`: the session id; the whole value, case-sensitive (ids are identifiers).
        case session = "session"

        /// The operator as written, `~m`.
        public var op: String { "~" + rawValue }

        /// Whether a plain value must equal the whole field rather than occur in it.
        public var isExact: Bool { self == .env || self == .session }

        func value(in s: TraceSummary) -> String? {
            switch self {
            case .model: s.model
            case .env: s.env
            case .provider: s.provider
            case .host: s.host
            case .session: s.sessionId
            }
        }
    }

    /// The value of a `~m`, `~e`, `~p` or `~h` term.
    public enum TextPattern: Sendable, Equatable {
        /// A word or quoted string, compared case-insensitively.
        case text(String)
        /// `/…/`: searched for (unanchored) case-insensitively; use `^` and `$` to anchor.
        case regex(FilterRegex)
    }

    /// A `~s` value.
    public enum StatusPattern: Sendable, Equatable {
        /// One status code, `~s 404`.
        case code(Int)
        /// A class: `4` for `~s 4xx`.
        case family(Int)

        /// Whether `status` fits; a record without a status never does.
        public func matches(_ status: Int?) -> Bool {
            guard let status else { return false }
            switch self {
            case .code(let c): return status == c
            case .family(let f): return status >= 100 * f && status < 100 * (f + 1)
            }
        }
    }

    /// The yes/no operators.
    public enum Flag: String, Sendable, Equatable, CaseIterable {
        /// `~err`: ``TraceSummary/isError`` (an error, or a status of 400 or more).
        case error = "err"
        /// `~stream`: a streamed response.
        case stream = "stream"
        /// `~done`: the response completed (not still streaming, not cut off).
        case complete = "done"

        /// The operator as written, `~err`.
        public var op: String { "~" + rawValue }
    }

    /// The numbers the comparison operators look at.
    public enum NumericField: String, Sendable, Equatable, CaseIterable {
        /// `~tok`: total tokens, `usage.totalTokens`, else input + output when both are known.
        case totalTokens = "tok"
        /// `~in`: input (prompt) tokens.
        case inputTokens = "in"
        /// `~out`: output (completion) tokens.
        case outputTokens = "out"
        /// `~cost`: estimated cost in dollars.
        case cost = "cost"
        /// `~ms`: duration in milliseconds.
        case durationMs = "ms"
        /// `~ttft`: time to first byte of the response body in milliseconds.
        case ttftMs = "ttft"

        /// The operator as written, `~tok`.
        public var op: String { "~" + rawValue }

        /// Whether the value may have a fractional part (`~cost>0.01`, `~ms>12.5`); token counts may not.
        public var allowsDecimals: Bool {
            switch self {
            case .totalTokens, .inputTokens, .outputTokens: false
            case .cost, .durationMs, .ttftMs: true
            }
        }

        /// The record's value, or `nil` when unknown.
        public func value(in s: TraceSummary) -> Double? {
            switch self {
            case .totalTokens:
                if let t = s.usage.totalTokens { return Double(t) }
                if let i = s.usage.inputTokens, let o = s.usage.outputTokens { return Double(i) + Double(o) }
                return nil
            case .inputTokens: return s.usage.inputTokens.map(Double.init)
            case .outputTokens: return s.usage.outputTokens.map(Double.init)
            case .cost: return s.estimatedCost
            case .durationMs: return s.durationMs
            case .ttftMs: return s.ttftMs
            }
        }
    }

    /// A comparison between a record's number and the filter's.
    public enum Comparison: String, Sendable, Equatable, CaseIterable {
        case lessThan = "<"
        case lessOrEqual = "<="
        case greaterThan = ">"
        case greaterOrEqual = ">="
        /// `=` (also written `==`): exact equality.
        case equal = "="

        /// `lhs op rhs`.
        public func compare(_ lhs: Double, _ rhs: Double) -> Bool {
            switch self {
            case .lessThan: lhs < rhs
            case .lessOrEqual: lhs <= rhs
            case .greaterThan: lhs > rhs
            case .greaterOrEqual: lhs >= rhs
            case .equal: lhs == rhs
            }
        }
    }

    // MARK: Matching

    /// Whether the record passes the filter.
    public func matches(_ s: TraceSummary) -> Bool {
        switch self {
        case .all:
            return true
        case .text(let needle):
            let haystacks: [String?] = [s.path, s.model, s.text, s.error?.message]
            return haystacks.contains { Self.contains($0, needle) }
        case .field(let field, let pattern):
            guard let value = field.value(in: s) else { return false }
            switch pattern {
            case .text(let t):
                if field == .session { return value == t }
                return field.isExact ? value.caseInsensitiveCompare(t) == .orderedSame : Self.contains(value, t)
            case .regex(let r):
                return r.matches(value)
            }
        case .status(let p):
            return p.matches(s.status)
        case .flag(let f):
            switch f {
            case .error: return s.isError
            case .stream: return s.stream
            case .complete: return s.complete
            }
        case .compare(let field, let op, let n):
            guard let v = field.value(in: s) else { return false }
            return op.compare(v, n)
        case .not(let e):
            return !e.matches(s)
        case .and(let es):
            return es.allSatisfy { $0.matches(s) }
        case .or(let es):
            return es.contains { $0.matches(s) }
        }
    }

    private static func contains(_ haystack: String?, _ needle: String) -> Bool {
        guard let haystack else { return false }
        if needle.isEmpty { return true }
        return haystack.range(of: needle, options: .caseInsensitive) != nil
    }

    // MARK: Printing

    /// The canonical form: lowercase operators, ` & ` and ` | ` between terms, parentheses only where
    /// needed, values quoted only where needed. The match-all expression prints as the empty string.
    public var description: String {
        if case .all = self { return "" }
        return render()
    }

    private func render() -> String {
        switch self {
        case .all:
            return "~all"
        case .text(let t):
            return Self.quoteIfNeeded(t, valuePosition: false)
        case .field(let f, .text(let t)):
            return "\(f.op) \(Self.quoteIfNeeded(t, valuePosition: true))"
        case .field(let f, .regex(let r)):
            return "\(f.op) \(r.description)"
        case .status(.code(let c)):
            return "~s \(c)"
        case .status(.family(let f)):
            return "~s \(f)xx"
        case .flag(let f):
            return f.op
        case .compare(let f, let op, let n):
            return "\(f.op)\(op.rawValue)\(Self.format(n))"
        case .not(let e):
            return "!" + e.renderOperand()
        case .and(let es):
            if es.isEmpty { return "~all" }
            return es.map { $0.renderInAnd() }.joined(separator: " & ")
        case .or(let es):
            if es.isEmpty { return "!~all" }
            return es.map { $0.renderInOr() }.joined(separator: " | ")
        }
    }

    /// Without one-element `and`/`or` wrappers, which print as their only element.
    private var unwrapped: FilterExpression {
        var e = self
        while true {
            switch e {
            case .and(let es) where es.count == 1: e = es[0]
            case .or(let es) where es.count == 1: e = es[0]
            default: return e
            }
        }
    }

    /// As the operand of `!`: an `and`/`or` of several terms (or none) needs parentheses.
    private func renderOperand() -> String {
        let e = unwrapped
        switch e {
        case .and(let es) where !es.isEmpty: return "(\(e.render()))"
        case .or: return "(\(e.render()))"
        default: return e.render()
        }
    }

    /// As a term of `&`: an `or` needs parentheses (`&` binds tighter).
    private func renderInAnd() -> String {
        let e = unwrapped
        if case .or = e { return "(\(e.render()))" }
        return e.render()
    }

    private func renderInOr() -> String { unwrapped.render() }

    /// Whether a word can be written bare: nothing the lexer would split on or read as syntax.
    static func isBareSafe(_ s: String, valuePosition: Bool) -> Bool {
        guard let first = s.unicodeScalars.first else { return false }
        if first == "~" || first == "!" || first == "\"" || first == "'" { return false }
        if valuePosition && (first == "/" || first == "<" || first == ">" || first == "=") { return false }
        return !s.unicodeScalars.contains { $0.properties.isWhitespace || FilterLexer.wordTerminators.contains($0) }
    }

    static func quoteIfNeeded(_ s: String, valuePosition: Bool) -> String {
        if isBareSafe(s, valuePosition: valuePosition) { return s }
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    /// Numbers without exponents, integers without `.0`.
    static func format(_ n: Double) -> String {
        guard n.isFinite else { return "0" }
        if n == n.rounded(), abs(n) < 1e15 { return String(Int64(n)) }
        let plain = "\(n)"
        if !plain.contains("e") && !plain.contains("E") { return plain }
        var fixed = String(format: "%.17f", n)
        while fixed.hasSuffix("0") { fixed.removeLast() }
        if fixed.hasSuffix(".") { fixed.removeLast() }
        return fixed
    }
}

/// A compiled, case-insensitive `/regex/` from a filter. Two regexes are equal when their patterns are.
public struct FilterRegex: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The pattern as NSRegularExpression sees it (a `\/` in the filter is stored as `/`).
    public let pattern: String
    private let regex: NSRegularExpression

    /// Compiles `pattern` case-insensitively; `nil` when it is empty or not a valid regular expression.
    public init?(pattern: String) {
        guard !pattern.isEmpty, let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else {
            return nil
        }
        self.pattern = pattern
        self.regex = regex
    }

    /// Whether the pattern occurs anywhere in `s`.
    public func matches(_ s: String) -> Bool {
        regex.firstMatch(in: s, options: [], range: NSRange(s.startIndex..<s.endIndex, in: s)) != nil
    }

    /// `/pattern/`, with `/` escaped as `\/`.
    public var description: String {
        var out = String.UnicodeScalarView()
        out.append("/")
        var escaped = false
        for c in pattern.unicodeScalars {
            if escaped {
                out.append(c)
                escaped = false
            } else if c == "\\" {
                out.append(c)
                escaped = true
            } else if c == "/" {
                out.append(contentsOf: "\\/".unicodeScalars)
            } else {
                out.append(c)
            }
        }
        out.append("/")
        return String(out)
    }

    public static func == (a: FilterRegex, b: FilterRegex) -> Bool { a.pattern == b.pattern }
    public func hash(into hasher: inout Hasher) { hasher.combine(pattern) }
}
