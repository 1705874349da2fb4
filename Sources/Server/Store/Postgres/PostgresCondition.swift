import Foundation
import LLMTraceModel
import PostgresNIO

/// A `WHERE` clause under construction with its bound values (`$1`, `$2`, …).
///
/// ``add(_:)`` writes a condition every record matching a ``RequestFilter`` meets; it may let through
/// records that do not match (text and regex terms stay in Swift, whose case folding SQL does not
/// share), and the store tests the whole filter on each summary it reads.
final class PostgresCondition {
    private(set) var clauses: [String] = []
    private(set) var binds = PostgresBindings()

    init() {}

    /// Binds `value` and returns its placeholder.
    func bind<T: PostgresDynamicTypeEncodable>(_ value: T) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    func append(_ clause: String) { clauses.append(clause) }

    var whereClause: String { clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ") }

    func add(_ f: RequestFilter) {
        if let env = f.env { append("env = \(bind(env))") }
        if let model = f.model { append("model = \(bind(model))") }
        switch f.status {
        case .code(let c)?: append("status = \(bind(c))")
        case .family(let fam)?: append("status >= \(bind(fam * 100)) AND status < \(bind(fam * 100 + 100))")
        case .error?: append("is_error")
        case nil: break
        }
        if let since = f.since { append("started_at >= \(bind(since.timeIntervalSinceReferenceDate))") }
        if let until = f.until { append("started_at < \(bind(until.timeIntervalSinceReferenceDate))") }
        if let text = f.text, !text.isEmpty, text.allSatisfy({ $0.isASCII && $0 != "\u{0}" }) {
            append("strpos(search, \(bind(text.lowercased()))) > 0")
        }
        if let e = f.expression, let condition = necessary(e) { append(condition) }
    }

    /// A condition every record matching `e` meets, or `nil` when SQL cannot say anything useful.
    private func necessary(_ e: FilterExpression) -> String? {
        switch e {
        case .all, .text, .field(.model, _), .field(.host, _), .field(.env, .regex), .field(.provider, .regex), .field(.provider, .text):
            return nil
        case .field(.env, .text(let t)):
            return t.allSatisfy(\.isASCII) ? "lower(env) = \(bind(t.lowercased()))" : nil
        case .status(.code(let c)): return "status = \(bind(c))"
        case .status(.family(let f)): return "(status >= \(bind(f * 100)) AND status < \(bind(f * 100 + 100)))"
        case .flag(.error): return "is_error"
        case .flag(.complete): return "complete"
        case .flag(.stream): return nil
        case .not(.flag(.error)): return "NOT is_error"
        case .not(.flag(.complete)): return "NOT complete"
        case .not: return nil
        case .compare(let field, let comparison, let value):
            guard let column = FilterSQL.column(field) else { return nil }
            let op = FilterSQL.op(comparison)
            return "\(column) \(op) \(bind(value))"
        case .and(let terms):
            let parts = terms.compactMap { necessary($0) }
            return parts.isEmpty ? nil : "(" + parts.joined(separator: " AND ") + ")"
        case .or(let terms):
            var parts: [String] = []
            for t in terms {
                guard let p = necessary(t) else { return nil }
                parts.append(p)
            }
            return parts.isEmpty ? nil : "(" + parts.joined(separator: " OR ") + ")"
        }
    }
}
