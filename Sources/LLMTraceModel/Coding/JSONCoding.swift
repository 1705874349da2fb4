import Foundation

/// The JSON encoders and decoders every part of llmtrace uses: camelCase keys, ISO-8601 UTC dates
/// with milliseconds (`2026-11-29T12:00:00.123Z`).
public enum JSONCoding {
    private static let dateStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
    private static let plainDateStyle = Date.ISO8601FormatStyle(timeZone: .gmt)

    /// Formats a date the way the API does.
    public static func format(_ date: Date) -> String { date.formatted(dateStyle) }

    /// Parses an ISO-8601 date with or without fractional seconds.
    public static func parseDate(_ s: String) -> Date? {
        (try? dateStyle.parse(s)) ?? (try? plainDateStyle.parse(s))
    }

    /// A new encoder with llmtrace's settings. Keys are sorted (stable output for people and tests)
    /// unless `sorted` is false, which is faster (storage).
    public static func makeEncoder(pretty: Bool = false, sorted: Bool = true) -> JSONEncoder {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(format(date))
        }
        e.outputFormatting = [.withoutEscapingSlashes]
        if pretty { e.outputFormatting.insert(.prettyPrinted) }
        if sorted { e.outputFormatting.insert(.sortedKeys) }
        return e
    }

    /// A new decoder with llmtrace's settings.
    public static func makeDecoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            let s = try c.decode(String.self)
            guard let date = parseDate(s) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an ISO-8601 date: \(s)")
            }
            return date
        }
        return d
    }
}
