/// Parses the filter language (docs/FILTERS.md) into a ``FilterExpression``.
///
/// Grammar, loosest binding first:
///
///     filter  := or?
///     or      := and ( "|" and )*
///     and     := unary ( "&"? unary )*          juxtaposition means and
///     unary   := "!"* primary
///     primary := "(" or ")" | term
///
/// Parsing never traps: any input either yields an expression or throws a ``FilterError``.
public enum FilterParser {
    /// The deepest parenthesis nesting accepted; deeper input throws ``FilterError/Kind/tooDeeplyNested``.
    public static let maxNesting = 64

    /// The operators, as written (`~m`, `~e`, …), for help screens and completion.
    public static var operators: [String] { FilterLexer.operators.map { "~" + $0.name } }

    /// Parses `text`; an empty or whitespace-only filter gives ``FilterExpression/all``.
    ///
    /// - Throws: ``FilterError`` with a message and the Character offset of the mistake.
    public static func parse(_ text: String) throws(FilterError) -> FilterExpression {
        var lexer = FilterLexer(text)
        let tokens = try lexer.tokenize()
        var parser = Parser(tokens: tokens, source: lexer.source)
        return try parser.parseFilter()
    }

    /// Whether `text` parses; the error when it does not. For live valid/invalid feedback.
    public static func validate(_ text: String) -> FilterError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    private struct Parser {
        let tokens: [FilterToken]
        let source: FilterSource
        var k = 0
        var depth = 0

        init(tokens: [FilterToken], source: FilterSource) {
            self.tokens = tokens
            self.source = source
        }

        private var current: FilterToken? { k < tokens.count ? tokens[k] : nil }

        private func error(_ kind: FilterError.Kind, _ message: String, _ token: FilterToken) -> FilterError {
            source.error(kind, message, token.start, token.end)
        }

        private static func startsOperand(_ t: FilterToken?) -> Bool {
            switch t?.kind {
            case .term, .not, .lparen: true
            default: false
            }
        }

        mutating func parseFilter() throws(FilterError) -> FilterExpression {
            guard current != nil else { return .all }
            let e = try parseOr()
            if let t = current {
                // parseOr stops only at `)` (or the end): everything else continues an expression.
                throw error(.unbalancedParentheses, "Unmatched ): there is no ( before it; remove it or add a ( earlier", t)
            }
            return e
        }

        private mutating func parseOr() throws(FilterError) -> FilterExpression {
            var terms = [try parseAnd()]
            while let t = current, t.kind == .or {
                k += 1
                guard Self.startsOperand(current) else {
                    throw error(.danglingOperator, "| needs a filter on its right, e.g. ~m gpt | ~m claude", t)
                }
                terms.append(try parseAnd())
            }
            return Self.flatten(terms, or: true)
        }

        private mutating func parseAnd() throws(FilterError) -> FilterExpression {
            var terms = [try parseUnary()]
            while let t = current {
                if t.kind == .and {
                    k += 1
                    guard Self.startsOperand(current) else {
                        throw error(.danglingOperator, "& needs a filter on its right, e.g. ~err & ~stream", t)
                    }
                } else if !Self.startsOperand(t) {
                    break
                }
                terms.append(try parseUnary())
            }
            return Self.flatten(terms, or: false)
        }

        private mutating func parseUnary() throws(FilterError) -> FilterExpression {
            var negations = 0
            while let t = current, t.kind == .not {
                k += 1
                negations += 1
                guard Self.startsOperand(current) else {
                    throw error(.danglingOperator, "! needs a filter after it, e.g. !~err", t)
                }
            }
            let e = try parsePrimary()
            if negations % 2 == 0 { return e }
            if case .not(let inner) = e { return inner }
            return .not(e)
        }

        private mutating func parsePrimary() throws(FilterError) -> FilterExpression {
            guard let t = current else {
                // Callers check startsOperand first; this is only reachable on a bug.
                throw source.error(.danglingOperator, "The filter ends where a term was expected", source.count, source.count)
            }
            switch t.kind {
            case .term(let e):
                k += 1
                return e
            case .lparen:
                k += 1
                if let next = current, next.kind == .rparen {
                    throw source.error(
                        .emptyParentheses,
                        "Empty parentheses: put a filter inside, e.g. (~m gpt | ~m claude), or remove them",
                        t.start,
                        next.end
                    )
                }
                guard current != nil else {
                    throw error(.unbalancedParentheses, "This ( is never closed: add a ) after the filter it groups", t)
                }
                if depth >= maxNesting {
                    throw error(.tooDeeplyNested, "Too many nested parentheses (at most \(maxNesting)); remove some", t)
                }
                depth += 1
                let inner = try parseOr()
                depth -= 1
                guard current?.kind == .rparen else {
                    throw error(.unbalancedParentheses, "This ( is never closed: add a ) after the filter it groups", t)
                }
                k += 1
                return inner
            case .and:
                throw error(.danglingOperator, "& needs a filter on its left, e.g. ~err & ~stream", t)
            case .or:
                throw error(.danglingOperator, "| needs a filter on its left, e.g. ~m gpt | ~m claude", t)
            case .rparen:
                throw error(.unbalancedParentheses, "Unmatched ): there is no ( before it; remove it or add a ( earlier", t)
            case .not:
                // parseUnary consumes every `!`.
                throw error(.danglingOperator, "! needs a filter after it, e.g. !~err", t)
            }
        }

        /// One term stays itself; nested `and`s in an `and` (and `or`s in an `or`) are spliced in.
        private static func flatten(_ terms: [FilterExpression], or: Bool) -> FilterExpression {
            if terms.count == 1, let only = terms.first { return only }
            var flat: [FilterExpression] = []
            for term in terms {
                switch (term, or) {
                case (.or(let es), true), (.and(let es), false): flat.append(contentsOf: es)
                default: flat.append(term)
                }
            }
            return or ? .or(flat) : .and(flat)
        }
    }
}
