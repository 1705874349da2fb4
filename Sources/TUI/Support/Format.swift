import Foundation
import LLMTraceModel

/// Short, fixed-style number formats for tables and headers. Unknown values print as `–`.
public enum Format {
    public static let unknown = "–"

    /// `950`, `12.3k`, `4.56M`, `1.2B`.
    public static func compact(_ n: Int?) -> String {
        guard let n else { return unknown }
        let a = abs(Double(n))
        let sign = n < 0 ? "-" : ""
        switch a {
        case ..<1000: return String(n)
        case ..<10_000: return sign + trim(String(format: "%.2f", a / 1000)) + "k"
        case ..<1_000_000: return sign + trim(String(format: "%.1f", a / 1000)) + "k"
        case ..<10_000_000: return sign + trim(String(format: "%.2f", a / 1_000_000)) + "M"
        case ..<1_000_000_000: return sign + trim(String(format: "%.1f", a / 1_000_000)) + "M"
        default: return sign + trim(String(format: "%.2f", a / 1_000_000_000)) + "B"
        }
    }

    /// `1,234,567`.
    public static func grouped(_ n: Int?) -> String {
        n.map(NumberText.grouped) ?? unknown
    }

    /// `$0.0123`, `$1.23`, `$1,234`; `$0` for zero.
    public static func cost(_ c: Double?) -> String {
        guard let c else { return unknown }
        if c == 0 { return "$0" }
        let a = abs(c)
        let sign = c < 0 ? "-" : ""
        switch a {
        case ..<0.0001: return sign + "<$0.0001"
        case ..<1: return sign + "$" + String(format: "%.4f", a)
        case ..<1000: return sign + "$" + String(format: "%.2f", a)
        default: return sign + "$" + grouped(Int(a.rounded()))
        }
    }

    /// `850ms`, `1.23s`, `12.3s`, `2m05s`, `1h02m`.
    public static func duration(_ ms: Double?) -> String {
        guard let ms else { return unknown }
        switch ms {
        case ..<1: return ms <= 0 ? "0ms" : "<1ms"
        case ..<1000: return "\(Int(ms.rounded()))ms"
        case ..<10_000: return String(format: "%.2fs", ms / 1000)
        case ..<60_000: return String(format: "%.1fs", ms / 1000)
        case ..<3_600_000:
            let s = Int((ms / 1000).rounded(.down))
            return "\(s / 60)m" + pad2(s % 60) + "s"
        default:
            let m = Int((ms / 60_000).rounded(.down))
            return "\(m / 60)h" + pad2(m % 60) + "m"
        }
    }

    /// `1.2 kB`, `3.4 MB`, `512 B`.
    public static func bytes(_ n: Int) -> String {
        let a = Double(n)
        switch a {
        case ..<1000: return "\(n) B"
        case ..<1_000_000: return String(format: "%.1f kB", a / 1000)
        case ..<1_000_000_000: return String(format: "%.1f MB", a / 1_000_000)
        default: return String(format: "%.1f GB", a / 1_000_000_000)
        }
    }

    /// `HH:MM:SS` of `date` in `zone`.
    public static func clock(_ date: Date, zone: TimeZone) -> String {
        let t = date.timeIntervalSince1970 + Double(zone.secondsFromGMT(for: date))
        var s = Int(t.rounded(.down)) % 86_400
        if s < 0 { s += 86_400 }
        return pad2(s / 3600) + ":" + pad2((s / 60) % 60) + ":" + pad2(s % 60)
    }

    /// `2026-11-29 12:00:00.123` in `zone`, plus the zone's abbreviation.
    public static func timestamp(_ date: Date, zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: date)
        let ms = (c.nanosecond ?? 0) / 1_000_000
        let msText = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
        let abbreviation = zone.abbreviation(for: date) ?? zone.identifier
        return
            "\(c.year ?? 0)-\(pad2(c.month ?? 0))-\(pad2(c.day ?? 0)) \(pad2(c.hour ?? 0)):\(pad2(c.minute ?? 0)):\(pad2(c.second ?? 0)).\(msText) \(abbreviation)"
    }

    /// A rate like `12/min` or `0.5/min`.
    public static func perMinute(_ v: Double) -> String {
        v >= 10 || v == v.rounded() ? "\(Int(v.rounded()))/min" : String(format: "%.1f/min", v)
    }

    static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    private static func trim(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var t = s
        while t.last == "0" { t.removeLast() }
        if t.last == "." { t.removeLast() }
        return t
    }
}
