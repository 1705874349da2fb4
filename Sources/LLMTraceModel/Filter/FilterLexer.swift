import Foundation

/// One token of a filter. Terms (`~m gpt`, `~tok>5`, free text) arrive already parsed, because what
/// follows an operator depends on the operator: `/v1/chat` is free text, but `~m /gpt/` is a regex.
struct FilterToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case lparen, rparen, not, and, or
        case term(FilterExpression)
    }

    var kind: Kind
    /// Unicode scalar offsets into ``FilterSource``: `start..<end`.
    var start: Int
    var end: Int
}

/// The filter text as Unicode scalars, with what is needed to report scalar spans as Character and
/// UTF-16 spans.
///
/// The lexer works on scalars, not Characters, so syntax can never be swallowed by grapheme
/// clustering: in `"\u{301}x"` (a quote followed by a combining accent) the quote is still a quote.
struct FilterSource: Sendable {
    let scalars: [Unicode.Scalar]
    /// For each scalar, the index of the Character it belongs to; one extra entry, the Character count.
    private let characterIndex: [Int]
    /// For each scalar, whether it begins a Character.
    private let startsCharacter: [Bool]
    /// For each Character, the UTF-16 offset where it begins; one extra entry, the UTF-16 length.
    private let characterUTF16Offset: [Int]

    init(_ text: String) {
        var scalars: [Unicode.Scalar] = []
        var characterIndex: [Int] = []
        var startsCharacter: [Bool] = []
        var characterUTF16Offset: [Int] = []
        var utf16 = 0
        var index = 0
        for character in text {
            characterUTF16Offset.append(utf16)
            var first = true
            for scalar in character.unicodeScalars {
                scalars.append(scalar)
                characterIndex.append(index)
                startsCharacter.append(first)
                utf16 += scalar.utf16.count
                first = false
            }
            index += 1
        }
        characterIndex.append(index)
        characterUTF16Offset.append(utf16)
        self.scalars = scalars
        self.characterIndex = characterIndex
        self.startsCharacter = startsCharacter
        self.characterUTF16Offset = characterUTF16Offset
    }

    var count: Int { scalars.count }

    /// An error covering scalars `start..<end`, widened to whole Characters (the UTF-16 span too, so
    /// both describe the same text).
    func error(_ kind: FilterError.Kind, _ message: String, _ start: Int, _ end: Int) -> FilterError {
        let n = scalars.count
        let s = min(max(start, 0), n)
        let e = min(max(end, s), n)
        let charStart = characterIndex[s]
        var charEnd = characterIndex[e]
        if e < n, e > s, !startsCharacter[e] { charEnd += 1 }
        return FilterError(
            kind: kind,
            message: message,
            position: charStart,
            length: max(charEnd - charStart, 0),
            utf16Position: characterUTF16Offset[charStart],
            utf16Length: max(characterUTF16Offset[charEnd] - characterUTF16Offset[charStart], 0)
        )
    }

    func text(_ start: Int, _ end: Int) -> String {
        let s = min(max(start, 0), scalars.count)
        let e = min(max(end, s), scalars.count)
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[s..<e])
        return String(out)
    }
}

/// Splits filter text into tokens, checking every term's value (numbers, status patterns, regexes,
/// quotes) as it goes. Offsets are scalar offsets into ``FilterSource``; every access is
/// bounds-checked through `peek(_:)`.
struct FilterLexer {
    /// The operators, in the order error messages list them.
    enum Operator: Sendable, Equatable {
        case text(FilterExpression.TextField)
        case status
        case flag(FilterExpression.Flag)
        case numeric(FilterExpression.NumericField)
        case all
    }

    static let operators: [(name: String, op: Operator)] =
        FilterExpression.TextField.allCases.map { ($0.rawValue, .text($0)) }
        + [("s", .status)]
        + FilterExpression.Flag.allCases.map { ($0.rawValue, .flag($0)) }
        + FilterExpression.NumericField.allCases.map { ($0.rawValue, .numeric($0)) }
        + [("all", .all)]

    /// `~m ~e ~p … ~all`, for messages.
    static let operatorList: String = operators.map { "~" + $0.name }.joined(separator: " ")

    /// Characters that end a bare word (besides whitespace).
    static let wordTerminators: Set<Unicode.Scalar> = ["(", ")", "|", "&"]
    /// Characters that end an operator name (besides whitespace).
    static let nameTerminators: Set<Unicode.Scalar> = ["(", ")", "|", "&", "!", "<", ">", "=", "\"", "'", "/", "~"]

    /// Common spellings that are not operators, and the operator meant.
    static let suggestions: [String: String] = [
        "status": "s", "code": "s", "c": "s", "duration": "ms", "latency": "ms", "time": "ms",
        "complete": "done", "completed": "done", "tokens": "tok", "token": "tok", "total": "tok",
        "input": "in", "output": "out", "price": "cost", "error": "err", "errors": "err",
        "model": "m", "env": "e", "environment": "e", "provider": "p", "host": "h", "streaming": "stream",
        "sessionid": "session", "sess": "session",
    ]

    static let examples: [FilterExpression.TextField: String] = [
        .model: "gpt-4o", .env: "prod", .provider: "openai", .host: "api.openai.com",
        .session: "run-42",
    ]

    let source: FilterSource
    private var i = 0

    init(_ text: String) {
        source = FilterSource(text)
    }

    private func peek(_ k: Int) -> Unicode.Scalar? {
        k >= 0 && k < source.scalars.count ? source.scalars[k] : nil
    }

    private func error(_ kind: FilterError.Kind, _ message: String, _ start: Int, _ end: Int) -> FilterError {
        source.error(kind, message, start, end)
    }

    private func text(_ start: Int, _ end: Int) -> String {
        source.text(start, end)
    }

    private mutating func skipWhitespace() {
        while let c = peek(i), c.properties.isWhitespace { i += 1 }
    }

    /// Every token of the input.
    mutating func tokenize() throws(FilterError) -> [FilterToken] {
        var tokens: [FilterToken] = []
        while true {
            skipWhitespace()
            guard let c = peek(i) else { return tokens }
            let start = i
            switch c {
            case "(":
                i += 1
                tokens.append(FilterToken(kind: .lparen, start: start, end: i))
            case ")":
                i += 1
                tokens.append(FilterToken(kind: .rparen, start: start, end: i))
            case "!":
                i += 1
                tokens.append(FilterToken(kind: .not, start: start, end: i))
            case "&":
                i += 1
                if peek(i) == "&" { i += 1 }
                tokens.append(FilterToken(kind: .and, start: start, end: i))
            case "|":
                i += 1
                if peek(i) == "|" { i += 1 }
                tokens.append(FilterToken(kind: .or, start: start, end: i))
            case "~":
                let term = try lexOperator()
                tokens.append(FilterToken(kind: .term(term), start: start, end: i))
            case "\"", "'":
                let s = try lexQuoted()
                if s.isEmpty {
                    throw error(.missingValue, "Empty quotes: put the text to search for between them, or remove them", start, i)
                }
                tokens.append(FilterToken(kind: .term(.text(s)), start: start, end: i))
            default:
                let w = lexWord()
                tokens.append(FilterToken(kind: .term(.text(w)), start: start, end: i))
            }
        }
    }

    /// A bare word: up to whitespace or one of `( ) | &`. Never empty when called on a non-terminator.
    private mutating func lexWord() -> String {
        let start = i
        while let c = peek(i), !c.properties.isWhitespace, !Self.wordTerminators.contains(c) { i += 1 }
        if i == start { i += 1 }  // defensive: always make progress
        return text(start, i)
    }

    /// A `"…"` or `'…'` string starting at `i`, with `\` escapes (`\n`, `\t`, `\r`; any other
    /// escaped character stands for itself).
    private mutating func lexQuoted() throws(FilterError) -> String {
        let start = i
        guard let quote = peek(i) else { return "" }
        i += 1
        var out = String.UnicodeScalarView()
        while true {
            guard let c = peek(i) else {
                throw error(.unterminatedQuote, "Unterminated quote: add a closing \(quote) to end the text started here", start, start + 1)
            }
            i += 1
            if c == quote { return String(out) }
            if c == "\\" {
                guard let e = peek(i) else {
                    throw error(.unterminatedQuote, "Unterminated quote: the text ends in a lone \\; add a closing \(quote)", start, start + 1)
                }
                i += 1
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                default: out.append(e)
                }
            } else {
                out.append(c)
            }
        }
    }

    /// A `/regex/` starting at `i`; `\/` stands for `/`, other escapes are passed to the regex as is.
    private mutating func lexRegex(for op: String) throws(FilterError) -> FilterRegex {
        let start = i
        i += 1
        var pattern = String.UnicodeScalarView()
        while true {
            guard let c = peek(i) else {
                throw error(.unterminatedRegex, "Unterminated regex: add a closing / (write \\/ for a slash inside it)", start, start + 1)
            }
            i += 1
            if c == "/" { break }
            if c == "\\" {
                guard let e = peek(i) else {
                    throw error(.unterminatedRegex, "Unterminated regex: it ends in a lone \\; add a closing /", start, start + 1)
                }
                i += 1
                if e == "/" {
                    pattern.append("/")
                } else {
                    pattern.append(c)
                    pattern.append(e)
                }
            } else {
                pattern.append(c)
            }
        }
        let patternText = String(pattern)
        if pattern.isEmpty {
            throw error(.missingValue, "\(op) // is an empty regex: put a pattern between the slashes, e.g. \(op) /gpt-4o.*/", start, i)
        }
        if let c = peek(i), !c.properties.isWhitespace, !Self.wordTerminators.contains(c) {
            throw error(
                .unexpectedValue,
                "Unexpected \(c) after the regex: regexes are always case-insensitive and take no flags; leave a space before the next term",
                i,
                i + 1
            )
        }
        guard let regex = FilterRegex(pattern: patternText) else {
            throw error(
                .invalidRegex,
                "/\(patternText)/ is not a valid regular expression: check its brackets, parentheses, quantifiers and escapes",
                start,
                i
            )
        }
        return regex
    }

    /// `~name` and whatever the operator takes, starting at the `~`.
    private mutating func lexOperator() throws(FilterError) -> FilterExpression {
        let tilde = i
        i += 1
        let nameStart = i
        while let c = peek(i), !c.properties.isWhitespace, !Self.nameTerminators.contains(c) { i += 1 }
        let name = text(nameStart, i)
        if name.isEmpty {
            throw error(.unknownOperator, "~ must be followed by an operator name; known operators: \(Self.operatorList)", tilde, tilde + 1)
        }
        let lower = name.lowercased()
        guard let op = Self.operators.first(where: { $0.name == lower })?.op else {
            var message = "Unknown operator ~\(name)"
            if let hint = Self.suggestion(for: lower) { message += " (did you mean ~\(hint)?)" }
            message += "; known operators: \(Self.operatorList)"
            throw error(.unknownOperator, message, tilde, i)
        }
        let opText = "~" + lower
        switch op {
        case .all:
            try expectNothingAttached(opText, tilde)
            return .all
        case .flag(let f):
            try expectNothingAttached(opText, tilde)
            return .flag(f)
        case .text(let field):
            return try lexTextValue(field, opText, tilde)
        case .status:
            return try lexStatus(opText, tilde)
        case .numeric(let field):
            return try lexComparison(field, opText, tilde)
        }
    }

    static func suggestion(for name: String) -> String? {
        if let s = suggestions[name] { return s }
        // The longest operator the name starts with: `~tokens` → `~tok`, `~model` → `~m`.
        return operators.map(\.name).filter { name.hasPrefix($0) }.max { $0.count < $1.count }
    }

    /// Flags take no value: reject `~err>5`, `~err"x"`, `~err/x/` rather than reading them as free text.
    private func expectNothingAttached(_ op: String, _ tilde: Int) throws(FilterError) {
        guard let c = peek(i), !c.properties.isWhitespace else { return }
        if ["<", ">", "=", "\"", "'", "/"].contains(c) {
            var end = i
            while let d = peek(end), !d.properties.isWhitespace, !Self.wordTerminators.contains(d) { end += 1 }
            throw error(.unexpectedValue, "\(op) takes no value: remove \(text(i, end)), or leave a space to search for it as text", i, end)
        }
    }

    /// The value of `~m`, `~e`, `~p`, `~h`: a word, a quoted string or a `/regex/`.
    private mutating func lexTextValue(_ field: FilterExpression.TextField, _ op: String, _ tilde: Int) throws(FilterError) -> FilterExpression {
        let example = Self.examples[field] ?? "value"
        let nameEnd = i
        skipWhitespace()
        let hadSpace = i > nameEnd
        guard let c = peek(i) else {
            throw error(.missingValue, "\(op) needs a value, e.g. \(op) \(example)", tilde, nameEnd)
        }
        switch c {
        case "\"", "'":
            let s = try lexQuoted()
            if s.isEmpty {
                throw error(.missingValue, "\(op) needs a non-empty value, e.g. \(op) \(example)", tilde, i)
            }
            return .field(field, .text(s))
        case "/":
            return .field(field, .regex(try lexRegex(for: op)))
        case ")", "|", "&":
            throw error(.missingValue, "\(op) needs a value before \(c), e.g. \(op) \(example)", tilde, nameEnd)
        case "(":
            throw error(
                .missingValue,
                "\(op) takes a single value, not a group: write \(op) a | \(op) b, or a regex such as \(op) /a|b/",
                tilde,
                nameEnd
            )
        case "~":
            throw error(.missingValue, "\(op) needs a value, e.g. \(op) \(example) (quote a value that starts with ~)", tilde, nameEnd)
        case "!":
            throw error(.missingValue, "\(op) needs a value; to negate, put ! before the operator: !\(op) \(example)", tilde, nameEnd)
        default:
            if !hadSpace {
                throw error(.missingValue, "\(op) needs a space before its value, e.g. \(op) \(example)", tilde, nameEnd)
            }
            return .field(field, .text(lexWord()))
        }
    }

    /// The value of `~s`: `200` or a class `4xx`/`4XX`.
    private mutating func lexStatus(_ op: String, _ tilde: Int) throws(FilterError) -> FilterExpression {
        let nameEnd = i
        skipWhitespace()
        let hadSpace = i > nameEnd
        let example = "~s 200 or ~s 4xx"
        guard let c = peek(i), !Self.wordTerminators.contains(c), c != "~", c != "!" else {
            throw error(.missingValue, "~s needs a status, e.g. \(example)", tilde, nameEnd)
        }
        let valueStart = i
        let value: String
        if c == "\"" || c == "'" {
            value = try lexQuoted()
        } else if !hadSpace {
            throw error(.missingValue, "~s needs a space before its status, e.g. \(example)", tilde, nameEnd)
        } else {
            value = lexWord()
        }
        if let pattern = Self.statusPattern(value) { return .status(pattern) }
        throw error(
            .badStatus,
            "\(value.isEmpty ? "\"\"" : value) is not a status: ~s takes a code from 100 to 599 or a class from 1xx to 5xx, e.g. \(example)",
            valueStart,
            i
        )
    }

    static func statusPattern(_ value: String) -> FilterExpression.StatusPattern? {
        let v = value.lowercased()
        let scalars = Array(v.unicodeScalars)
        guard scalars.count == 3 else { return nil }
        let digits = scalars.map { s -> Int? in (48...57).contains(s.value) ? Int(s.value) - 48 : nil }
        if scalars[1] == "x" && scalars[2] == "x", let d = digits[0], (1...5).contains(d) { return .family(d) }
        if let a = digits[0], let b = digits[1], let c = digits[2] {
            let n = a * 100 + b * 10 + c
            if (100...599).contains(n) { return .code(n) }
        }
        return nil
    }

    /// `>`, `>=`, `<`, `<=`, `=` or `==`, then a number, after a numeric operator.
    private mutating func lexComparison(_ field: FilterExpression.NumericField, _ op: String, _ tilde: Int) throws(FilterError) -> FilterExpression {
        let example = field.allowsDecimals ? (field == .cost ? "\(op)>0.01" : "\(op)>500") : "\(op)>1000"
        let nameEnd = i
        skipWhitespace()
        let comparison: FilterExpression.Comparison
        switch (peek(i), peek(i + 1)) {
        case (">", "="):
            comparison = .greaterOrEqual
            i += 2
        case ("<", "="):
            comparison = .lessOrEqual
            i += 2
        case ("=", "="):
            comparison = .equal
            i += 2
        case (">", _):
            comparison = .greaterThan
            i += 1
        case ("<", _):
            comparison = .lessThan
            i += 1
        case ("=", _):
            comparison = .equal
            i += 1
        default:
            throw error(.missingComparison, "\(op) needs a comparison such as \(example) (>, >=, <, <= or =)", tilde, nameEnd)
        }
        let opEnd = i
        skipWhitespace()
        let numberStart = i
        while let c = peek(i), !c.properties.isWhitespace, !Self.wordTerminators.contains(c) { i += 1 }
        let raw = text(numberStart, i)
        if raw.isEmpty {
            throw error(.missingValue, "\(op)\(comparison.rawValue) needs a number, e.g. \(example)", tilde, opEnd)
        }
        guard let n = Self.number(raw, decimals: field.allowsDecimals, dollars: field == .cost) else {
            let what: String
            switch field {
            case .totalTokens, .inputTokens, .outputTokens: what = "a whole number of tokens"
            case .cost: what = "an amount in dollars"
            case .durationMs, .ttftMs: what = "a number of milliseconds"
            }
            throw error(.badNumber, "\(raw) is not a valid number: \(op) takes \(what) (digits only, at most 15), e.g. \(example)", numberStart, i)
        }
        return .compare(field, comparison, n)
    }

    /// Digits with an optional `.fraction` (when allowed) and an optional leading `$` (for cost); no
    /// signs, exponents, `inf` or `nan`; at most 15 digits so values stay exact.
    static func number(_ raw: String, decimals: Bool, dollars: Bool) -> Double? {
        var s = Substring(raw)
        if dollars, s.first == "$" { s = s.dropFirst() }
        var digits = 0
        var dots = 0
        for u in s.unicodeScalars {
            if (48...57).contains(u.value) {
                digits += 1
            } else if u == "." {
                dots += 1
            } else {
                return nil
            }
        }
        guard digits > 0, digits <= 15, dots <= (decimals ? 1 : 0), s.last != "." else { return nil }
        guard let v = Double(String(s)), v.isFinite else { return nil }
        return v
    }
}
