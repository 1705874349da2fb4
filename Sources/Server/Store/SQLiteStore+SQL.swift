import Foundation
import GRDB
import LLMTraceModel

// MARK: - SQL for filters

extension SQLiteStore {
    static func searchText(_ s: TraceSummary) -> String {
        [s.path, s.host, s.model ?? "", s.text ?? "", s.error?.message ?? ""].joined(separator: "\n").lowercased()
    }

    static func whereClause(_ f: RequestFilter) -> ([String], StatementArguments) {
        var clause: [String] = []
        var args: StatementArguments = []
        if let env = f.env {
            clause.append("env = ?")
            args += [env]
        }
        if let environments = f.environments {
            if environments.isEmpty {
                clause.append("0")
            } else {
                clause.append("env IN (" + Array(repeating: "?", count: environments.count).joined(separator: ", ") + ")")
                args += StatementArguments(environments.sorted())
            }
        }
        if let model = f.model {
            clause.append("model = ?")
            args += [model]
        }
        switch f.status {
        case .code(let c)?:
            clause.append("status = ?")
            args += [c]
        case .family(let fam)?:
            clause.append("status >= ? AND status < ?")
            args += [fam * 100, fam * 100 + 100]
        case .error?: clause.append("is_error = 1")
        case nil: break
        }
        if let since = f.since {
            clause.append("started_at >= ?")
            args += [since.timeIntervalSince1970]
        }
        if let until = f.until {
            clause.append("started_at < ?")
            args += [until.timeIntervalSince1970]
        }
        if let text = f.text, !text.isEmpty {
            clause.append("instr(search, ?) > 0")
            args += [text.lowercased()]
        }
        if let e = f.expression, let (condition, conditionArgs) = necessaryCondition(e) {
            clause.append(condition)
            args += conditionArgs
        }
        return (clause, args)
    }

    /// A SQL condition every record matching `e` meets (it may let through records that do not match,
    /// which the filter then drops), so scans read only likely candidates; `nil` when nothing about `e`
    /// can be said in SQL. Text and regex terms stay in Swift, whose case folding SQL does not share.
    static func necessaryCondition(_ e: FilterExpression) -> (String, StatementArguments)? {
        switch e {
        case .all, .text, .field(.model, _), .field(.host, _), .field(.env, .regex), .field(.provider, .regex): return nil
        case .field(.provider, .text(let t)):
            // Providers are llmtrace's own ASCII names (openai, anthropic, …), where LIKE folds case as Swift does.
            guard t.allSatisfy(\.isASCII) else { return nil }
            let escaped = t.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(
                of: "_",
                with: "\\_"
            )
            return ("provider LIKE ? ESCAPE '\\'", ["%" + escaped + "%"])
        case .field(.env, .text(let t)):
            // Environments are ASCII (the proxy route allows [A-Za-z0-9_.-]), where NOCASE folds as Swift does.
            return t.allSatisfy(\.isASCII) ? ("env = ? COLLATE NOCASE", [t]) : nil
        case .status(.code(let c)): return ("status = ?", [c])
        case .status(.family(let f)): return ("(status >= ? AND status < ?)", [f * 100, f * 100 + 100])
        case .flag(.error): return ("is_error = 1", [])
        case .flag(.complete): return ("complete = 1", [])
        case .flag(.stream): return nil
        case .not(.flag(.error)): return ("is_error = 0", [])
        case .not(.flag(.complete)): return ("complete = 0", [])
        case .not: return nil
        case .compare(let field, let comparison, let value):
            guard let column = FilterSQL.column(field) else { return nil }
            let op = FilterSQL.op(comparison)
            return ("\(column) \(op) ?", [value])
        case .and(let terms):
            let parts = terms.compactMap(necessaryCondition)
            guard !parts.isEmpty else { return nil }
            return ("(" + parts.map(\.0).joined(separator: " AND ") + ")", parts.reduce(into: StatementArguments()) { $0 += $1.1 })
        case .or(let terms):
            var parts: [(String, StatementArguments)] = []
            for t in terms {
                guard let p = necessaryCondition(t) else { return nil }
                parts.append(p)
            }
            guard !parts.isEmpty else { return nil }
            return ("(" + parts.map(\.0).joined(separator: " OR ") + ")", parts.reduce(into: StatementArguments()) { $0 += $1.1 })
        }
    }

    /// Summaries matching `clause`, newest first. The ids are chosen first, from an index where one
    /// applies, and only those rows are read: when SQLite has to sort (a status class is a range on the
    /// status index), it sorts ids instead of whole rows.
    static func newestFirst(_ clause: [String], limit: Int) -> String {
        "SELECT summary FROM requests WHERE id IN (SELECT id FROM requests" + joined(clause) + " ORDER BY id DESC LIMIT \(limit)) ORDER BY id DESC"
    }

    static func joined(_ clause: [String]) -> String {
        clause.isEmpty ? "" : " WHERE " + clause.joined(separator: " AND ")
    }
}
