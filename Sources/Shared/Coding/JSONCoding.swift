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

    /// A new encoder with llmtrace's settings.
    public static func makeEncoder(pretty: Bool = false) -> JSONEncoder {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(format(date))
        }
        e.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
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
