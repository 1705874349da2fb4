import Foundation
import Hummingbird
import LLMTraceModel

/// Reads API query parameters into filters, failing with a message that names the parameter.
struct QueryParser {
    let request: Request
    let now: Date

    init(_ request: Request, now: Date = Date()) {
        self.request = request
        self.now = now
    }

    /// The first non-empty value of a query parameter, decoded as an HTML form encodes it.
    func string(_ name: String) -> String? {
        guard let v = Self.value(of: name, inQuery: request.uri.query), !v.isEmpty else { return nil }
        return v
    }

    /// The first value of parameter `name` in a raw query string, or `nil` when it is absent.
    ///
    /// Names and values are decoded as `application/x-www-form-urlencoded` (what browsers, `curl
    /// --data-urlencode -G`, Python's `urlencode` and `URLSearchParams` send): `+` is a space and
    /// `%XX` a byte, so `q=rate+limit` and `q=rate%20limit` both mean "rate limit" and `%2B` is a
    /// plus. Hummingbird's `queryParameters` keeps `+` as it is, so every API parameter is read here.
    static func value(of name: String, inQuery query: String?) -> String? {
        guard let query, !query.isEmpty else { return nil }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard formDecode(parts[0]) == name else { continue }
            return parts.count > 1 ? formDecode(parts[1]) : ""
        }
        return nil
    }

    /// `+` as a space, then percent-decoding; text that is not valid percent-encoding is kept as it is
    /// (with its `+` still read as spaces).
    private static func formDecode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    func int(_ name: String, range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let v = string(name) else { return nil }
        guard let n = Int(v), range.contains(n) else {
            throw .invalidParameter(name, v, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }

    func double(_ name: String) throws(APIError) -> Double? {
        guard let v = string(name) else { return nil }
        guard let n = Double(v), n.isFinite, n >= 0 else { throw .invalidParameter(name, v, expected: "a non-negative number") }
        return n
    }

    /// A time: ISO-8601 (`2026-11-29T12:00:00Z`), Unix seconds (`1795000000`), or a duration ago (`15m`, `2h`, `7d`).
    func date(_ name: String) throws(APIError) -> Date? {
        guard let v = string(name) else { return nil }
        if let d = JSONCoding.parseDate(v) { return d }
        if let n = Double(v), n.isFinite { return Date(timeIntervalSince1970: n > 1e11 ? n / 1000 : n) }
        if let seconds = Timeseries.parseBucket(v), v.last?.isLetter == true { return now.addingTimeInterval(-Double(seconds)) }
        throw .invalidParameter(name, v, expected: "an ISO-8601 time, Unix seconds, or a duration ago such as 15m, 2h or 7d")
    }

    func filter() throws(APIError) -> RequestFilter {
        var f = RequestFilter()
        f.env = string("env")
        f.model = string("model")
        if let s = string("status") {
            guard let status = StatusFilter(s) else {
                throw .invalidParameter("status", s, expected: "a status code (200), a class (4xx) or 'error'")
            }
            f.status = status
        }
        f.text = string("q")
        f.since = try date("since")
        f.until = try date("until")
        if let text = string("filter") {
            do {
                f.expression = try FilterParser.parse(text)
            } catch {
                throw APIError(status: .badRequest, type: "invalid_filter", message: error.description)
            }
        }
        return f
    }

    /// `limit` and `cursor`. A cursor that is no record id is refused: read as "nothing after it", it
    /// would answer an empty page, which says "no more records".
    func page() throws(APIError) -> PageRequest {
        let cursor = string("cursor")
        if let cursor, !RecordIDGenerator.isWellFormed(cursor) {
            throw .invalidParameter("cursor", cursor, expected: "the nextCursor of an earlier page (a record id such as 0192f3a1c2d4-00a3f1b2)")
        }
        return PageRequest(limit: try int("limit", range: 1...PageRequest.maxLimit) ?? 100, cursor: cursor)
    }
}
