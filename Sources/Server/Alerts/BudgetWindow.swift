import Foundation
import LLMTraceModel

/// The window a budget rule sums spend over, in UTC: the day or the calendar month holding a moment.
struct BudgetWindow: Sendable, Equatable {
    var start: Date
    var end: Date

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current
        return calendar
    }()

    init(_ window: BudgetRule.Window, containing moment: Date) {
        let calendar = Self.utc
        let unit: Calendar.Component = window == .day ? .day : .month
        let interval = calendar.dateInterval(of: unit, for: moment)
        start = interval?.start ?? moment
        end = interval?.end ?? moment
    }

    /// "today" or "this month", for messages.
    static func phrase(_ window: BudgetRule.Window) -> String { window == .day ? "today" : "this month" }
}
