import Foundation

/// `E`'s export of the filtered list: the file it is written to.
public enum ListExport {
    /// `llmtrace-export-20261129-143005.csv`: the time `date` in `timeZone`, to the second.
    public static func fileName(at date: Date, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let day = "\(c.year ?? 0)\(Format.pad2(c.month ?? 0))\(Format.pad2(c.day ?? 0))"
        return "llmtrace-export-\(day)-\(Format.pad2(c.hour ?? 0))\(Format.pad2(c.minute ?? 0))\(Format.pad2(c.second ?? 0)).csv"
    }
}
