import Foundation

/// Writes records as CSV (RFC 4180), a JSON array or JSON Lines, a piece at a time, so an export of any
/// size streams in constant memory: ``header()``, then ``row(_:)`` per record, then ``footer()``.
public struct ExportWriter: Sendable {
    /// The formats an export can take.
    public enum Format: String, Sendable, CaseIterable {
        case csv, json, jsonl

        /// The content type a response of this format has.
        public var contentType: String {
            switch self {
            case .csv: "text/csv; charset=utf-8; header=present"
            case .json: "application/json"
            case .jsonl: "application/jsonl"
            }
        }
    }

    public let format: Format
    public let fields: [ExportField]
    private var rows = 0

    public init(format: Format, fields: [ExportField]) {
        self.format = format
        self.fields = fields
    }

    /// What comes before the first row: CSV's header line, JSON's `[`.
    public func header() -> String {
        switch format {
        case .csv: fields.map { Self.csvCell($0.name) }.joined(separator: ",") + "\r\n"
        case .json: "["
        case .jsonl: ""
        }
    }

    /// One record.
    public mutating func row(_ record: TraceRecord) -> String {
        defer { rows += 1 }
        switch format {
        case .csv:
            return fields.map { Self.csvCell($0.value(of: record), numeric: $0.isNumeric) }.joined(separator: ",") + "\r\n"
        case .json:
            return (rows == 0 ? "\n" : ",\n") + jsonObject(record)
        case .jsonl:
            return jsonObject(record) + "\n"
        }
    }

    /// What comes after the last row: JSON's `]`.
    public func footer() -> String {
        format == .json ? (rows == 0 ? "]\n" : "\n]\n") : ""
    }

    /// The record as one JSON object, its keys in the export's order (each key and value encoded by
    /// `JSONEncoder`; only the braces, colons and commas are put here).
    private func jsonObject(_ record: TraceRecord) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let encode = { (value: any Encodable) in (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null" }
        let members = fields.map { field -> String in
            let value: String
            switch field.value(of: record) {
            case .text(let s): value = s.map(encode) ?? "null"
            case .integer(let n): value = n.map(encode) ?? "null"
            case .real(let x): value = x.map(encode) ?? "null"
            case .bool(let b): value = encode(b)
            }
            return encode(field.name) + ":" + value
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// A CSV cell: quoted when it holds a comma, a quote or a line break (quotes doubled). A text cell a
    /// spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage
    /// return) is prefixed with `'`; numbers are left bare.
    static func csvCell(_ value: ExportValue, numeric: Bool) -> String {
        switch value {
        case .text(let text?): csvCell(text, guardFormula: !numeric)
        case .integer(let n?): String(n)
        case .real(let x?): String(x)
        case .bool(let b): b ? "true" : "false"
        case .text(nil), .integer(nil), .real(nil): ""
        }
    }

    static func csvCell(_ text: String, guardFormula: Bool = true) -> String {
        var text = text
        if guardFormula, let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { text = "'" + text }
        // By bytes: a CRLF inside the text is one Character, equal to neither "\r" nor "\n".
        guard text.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
