import Foundation

/// Why a filter string could not be parsed, and where.
///
/// Positions are **Character (grapheme cluster) offsets** into the filter text as typed, counted from
/// 0: the TUI can place its cursor or underline with them directly. For JavaScript and other UTF-16
/// consumers (the web panel) the same span is also given in UTF-16 code units.
public struct FilterError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// What kind of mistake the filter contains.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// `~x` where `x` is not a known operator (or a lone `~`).
        case unknownOperator
        /// An operator without its value (`~m` at the end, `~tok>` without a number, `~m ""`).
        case missingValue
        /// A numeric operator without `>`, `<`, `>=`, `<=` or `=` (`~tok 5`).
        case missingComparison
        /// A number that is not one (`~tok>1k`, `~tok>1.5`, `~cost>-1`).
        case badNumber
        /// A `~s` value that is neither a status code nor a class (`~s 2x`, `~s ok`).
        case badStatus
        /// A `(` that is never closed, or a `)` that was never opened.
        case unbalancedParentheses
        /// `!`, `&` or `|` without a filter where one is needed (`~err &`, `| ~err`, `!`).
        case danglingOperator
        /// `()` with nothing inside.
        case emptyParentheses
        /// A `"` or `'` string without its closing quote.
        case unterminatedQuote
        /// A `/regex/` without its closing `/`.
        case unterminatedRegex
        /// A `/regex/` that NSRegularExpression rejects.
        case invalidRegex
        /// Something attached to an operator that takes nothing there (`~err>5`, `~m /x/i`).
        case unexpectedValue
        /// More nested parentheses than ``FilterParser/maxNesting``.
        case tooDeeplyNested
    }

    /// What kind of mistake this is; stable, for programs (the message is for people).
    public var kind: Kind
    /// One sentence saying what is wrong and how to fix it.
    public var message: String
    /// Where the offending part starts, in Characters from the start of the filter text.
    public var position: Int
    /// How many Characters the offending part spans (0 when something is missing at the end).
    public var length: Int
    /// ``position`` in UTF-16 code units.
    public var utf16Position: Int
    /// ``length`` in UTF-16 code units.
    public var utf16Length: Int

    /// Creates an error from a Character span of `text`, working out the UTF-16 span.
    public init(kind: Kind, message: String, position: Int, length: Int, in text: String) {
        let chars = Array(text)
        let start = min(max(position, 0), chars.count)
        let end = min(max(start + max(length, 0), start), chars.count)
        self.kind = kind
        self.message = message
        self.position = start
        self.length = end - start
        self.utf16Position = chars[..<start].reduce(0) { $0 + $1.utf16.count }
        self.utf16Length = chars[start..<end].reduce(0) { $0 + $1.utf16.count }
    }

    init(kind: Kind, message: String, position: Int, length: Int, utf16Position: Int, utf16Length: Int) {
        self.kind = kind
        self.message = message
        self.position = position
        self.length = length
        self.utf16Position = utf16Position
        self.utf16Length = utf16Length
    }

    /// `message (at column N)` with a 1-based column, for logs and plain-text error output.
    public var description: String { "\(message) (at column \(position + 1))" }

    public var errorDescription: String? { description }
}
