import Foundation

/// What a cost report (`GET /api/report?by=…`, `llmtrace report --by …`) groups records by. Each case
/// names the group a record falls in (``key(of:)``); a new grouping is one more case.
public enum ReportGrouping: String, Sendable, CaseIterable, Codable {
    /// The model (`unknown` for records without one).
    case model
    /// The environment.
    case env
    /// The UTC day the request started, `2026-11-29`.
    case day
    /// The UTC month the request started, `2026-11`.
    case month
    /// The session (``TraceSummary/sessionId``; `none` for records in none): what each agent run cost.
    case session

    /// The groupings in words, for error messages: `model, env, day, month or session`.
    public static var choices: String {
        let names = allCases.map(\.rawValue)
        return names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
    }

    /// Whether the groups are periods of time (listed oldest first rather than by cost).
    public var isTime: Bool { self == .day || self == .month }

    /// The group `sample` falls in.
    public func key(of sample: StatsSample) -> String {
        switch self {
        case .model: return sample.model ?? "unknown"
        case .env: return sample.env
        case .day: return Self.utcDay(sample.startedAt)
        case .month: return String(Self.utcDay(sample.startedAt).prefix(7))
        case .session: return sample.sessionId ?? "none"
        }
    }

    /// `YYYY-MM-DD` of `date` in UTC (civil-from-days: no calendar object per record).
    static func utcDay(_ date: Date) -> String {
        let days = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
        // Howard Hinnant's days_from_civil inverse.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
}
