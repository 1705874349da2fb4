import Foundation
import LLMTraceModel

/// A `WHERE` clause under construction, with its bound values, for any ``SQLDialect``.
///
/// ``add(_:)`` writes a condition every record matching a ``RequestFilter`` meets. It may let through
/// records that do not match (text and regex terms stay in Swift, whose case folding SQL does not share),
/// so a store tests the whole filter on each summary it reads; what it cannot say in SQL it leaves out.
struct SQLCondition {
    let dialect: SQLDialect
    private(set) var clauses: [String] = []
    private(set) var values: [ColumnValue] = []

    init(_ dialect: SQLDialect) { self.dialect = dialect }

    /// Binds `value` and returns its placeholder.
    mutating func bind(_ value: ColumnValue) -> String {
        values.append(value)
        return dialect.placeholder(values.count)
    }

    mutating func append(_ clause: String) { clauses.append(clause) }

    /// ` WHERE a AND b`, or nothing.
    var whereClause: String { clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ") }

    /// Adds what SQL can check of `f`.
    mutating func add(_ f: RequestFilter) {
        if let env = f.env { append("env = \(bind(.text(env)))") }
        if let environments = f.environments {
            if environments.isEmpty {
                append("1 = 0")
            } else {
                append("env IN (" + environments.sorted().map { bind(.text($0)) }.joined(separator: ", ") + ")")
            }
        }
        if let model = f.model { append("model = \(bind(.text(model)))") }
        switch f.status {
        case .code(let c)?: append("status = \(bind(.integer(c)))")
        case .family(let fam)?: append("status >= \(bind(.integer(fam * 100))) AND status < \(bind(.integer(fam * 100 + 100)))")
        case .error?: append(dialect.isTrue("is_error"))
        case nil: break
        }
        if let since = f.since { append("started_at >= \(bind(.real(since.timeIntervalSince1970)))") }
        if let until = f.until { append("started_at < \(bind(.real(until.timeIntervalSince1970)))") }
        // Non-ASCII text is left to Swift: SQL's lowercasing differs from Swift's beyond ASCII.
        if let text = f.text, !text.isEmpty, text.allSatisfy({ $0.isASCII && $0 != "\u{0}" }) {
            append(dialect.contains("search", bind(.text(text.lowercased()))))
        }
        if let e = f.expression, let condition = necessary(e) { append(condition) }
    }

    /// A condition every record matching `e` meets, or `nil` when SQL cannot say anything useful.
    private mutating func necessary(_ e: FilterExpression) -> String? {
        switch e {
        case .all, .text, .field(.model, _), .field(.host, _), .field(.env, .regex), .field(.provider, .regex): return nil
        case .field(.provider, .text(let t)):
            // Providers are llmtrace's own ASCII names (openai, anthropic, …), where lower() folds as Swift does.
            guard t.allSatisfy(\.isASCII) else { return nil }
            var pattern = ""
            for c in t.lowercased() {
                if c == "!" || c == "%" || c == "_" { pattern.append("!") }
                pattern.append(c)
            }
            return "lower(provider) LIKE \(bind(.text("%" + pattern + "%"))) ESCAPE '!'"
        case .field(.session, .text(let t)): return "session_id = \(bind(.text(t)))"
        case .field(.session, .regex): return "session_id IS NOT NULL"
        case .field(.env, .text(let t)):
            // Environments are ASCII (the proxy route allows [A-Za-z0-9_.-]).
            return t.allSatisfy(\.isASCII) ? "lower(env) = \(bind(.text(t.lowercased())))" : nil
        case .status(.code(let c)): return "status = \(bind(.integer(c)))"
        case .status(.family(let f)): return "(status >= \(bind(.integer(f * 100))) AND status < \(bind(.integer(f * 100 + 100))))"
        case .flag(.error): return dialect.isTrue("is_error")
        case .flag(.complete): return dialect.isTrue("complete")
        case .flag(.stream): return nil
        case .not(.flag(.error)): return dialect.isFalse("is_error")
        case .not(.flag(.complete)): return dialect.isFalse("complete")
        case .not: return nil
        case .compare(let field, let comparison, let value):
            guard let column = Self.column(field) else { return nil }
            return "\(column) \(Self.op(comparison)) \(bind(.real(value)))"
        case .and(let terms):
            let parts = terms.compactMap { necessary($0) }
            return parts.isEmpty ? nil : "(" + parts.joined(separator: " AND ") + ")"
        case .or(let terms):
            var parts: [String] = []
            let bound = values.count
            for t in terms {
                guard let p = necessary(t) else {
                    // The terms before were bound for nothing: unbind them, or the placeholders and
                    // values would no longer pair up (MySQL and SQLite count `?`s).
                    values.removeSubrange(bound...)
                    return nil
                }
                parts.append(p)
            }
            return parts.isEmpty ? nil : "(" + parts.joined(separator: " OR ") + ")"
        }
    }

    /// The column (or expression) for `field`, or `nil` when the field has no column (it is then checked
    /// on the records read).
    static func column(_ field: FilterExpression.NumericField) -> String? {
        switch field {
        case .totalTokens: return "COALESCE(total_tokens, input_tokens + output_tokens)"
        case .inputTokens: return "input_tokens"
        case .outputTokens: return "output_tokens"
        case .cost: return "cost"
        case .durationMs: return "duration_ms"
        case .ttftMs: return "ttft_ms"
        }
    }

    static func op(_ comparison: FilterExpression.Comparison) -> String {
        switch comparison {
        case .lessThan: return "<"
        case .lessOrEqual: return "<="
        case .greaterThan: return ">"
        case .greaterOrEqual: return ">="
        case .equal: return "="
        }
    }
}
