import Foundation

/// A column of an export (`llmtrace export`, `GET /api/export`): its name and how to read it from a record.
public struct ExportField: Sendable, Equatable {
    /// The column's name, as `--fields` and the CSV header give it.
    public let name: String
    /// Whether the value is a number (CSV leaves it bare and never guards it as a formula).
    public let isNumeric: Bool
    let read: @Sendable (TraceRecord) -> ExportValue

    public static func == (a: ExportField, b: ExportField) -> Bool { a.name == b.name }

    private init(_ name: String, numeric: Bool = false, _ read: @escaping @Sendable (TraceRecord) -> ExportValue) {
        self.name = name
        self.isNumeric = numeric
        self.read = read
    }

    /// The value of this column for `record`.
    public func value(of record: TraceRecord) -> ExportValue { read(record) }

    private static func text(_ name: String, _ read: @escaping @Sendable (TraceSummary) -> String?) -> ExportField {
        ExportField(name) { .text(read($0.summary)) }
    }

    private static func integer(_ name: String, _ read: @escaping @Sendable (TraceSummary) -> Int?) -> ExportField {
        ExportField(name, numeric: true) { .integer(read($0.summary)) }
    }

    private static func real(_ name: String, _ read: @escaping @Sendable (TraceSummary) -> Double?) -> ExportField {
        ExportField(name, numeric: true) { .real(read($0.summary).flatMap { $0.isFinite ? $0 : nil }) }
    }

    /// Every column without bodies, in export order (the default `--fields`).
    public static let standard: [ExportField] = [
        text("id") { $0.id },
        text("startedAt") { Date.ISO8601FormatStyle(includingFractionalSeconds: true).format($0.startedAt) },
        text("env") { $0.env }, text("method") { $0.method }, text("scheme") { $0.scheme }, text("host") { $0.host },
        text("path") { $0.path }, text("query") { $0.query }, text("provider") { $0.provider }, text("endpoint") { $0.endpoint },
        text("model") { $0.model }, ExportField("stream") { .bool($0.summary.stream) }, integer("status") { $0.status },
        text("errorType") { $0.error?.type }, text("errorMessage") { $0.error?.message },
        real("durationMs") { $0.durationMs }, real("ttftMs") { $0.ttftMs },
        integer("inputTokens") { $0.usage.inputTokens }, integer("outputTokens") { $0.usage.outputTokens },
        integer("cachedInputTokens") { $0.usage.cachedInputTokens }, integer("cacheCreationTokens") { $0.usage.cacheCreationTokens },
        integer("reasoningTokens") { $0.usage.reasoningTokens }, integer("totalTokens") { $0.usage.totalTokens },
        real("cost") { $0.estimatedCost }, text("finishReason") { $0.finishReason },
        ExportField("complete") { .bool($0.summary.complete) }, text("sessionId") { $0.sessionId }, integer("turn") { $0.turn },
        text("replayOf") { $0.replayOf }, text("text") { $0.text },
    ]

    /// The bodies, added by `--with-bodies` (their text; a binary body as base64).
    public static let bodies: [ExportField] = [
        ExportField("requestBody") { .text($0.requestBody?.content) },
        ExportField("responseBody") { .text($0.responseBody?.content) },
    ]

    /// The columns `names` asks for (comma-separated), in its order; `nil` for the standard ones (and the
    /// bodies with `withBodies`). Throws on an unknown name, listing the known ones.
    public static func parse(_ names: String?, withBodies: Bool) throws(ExportError) -> [ExportField] {
        let all = standard + bodies
        guard let names, !names.trimmingCharacters(in: .whitespaces).isEmpty else { return withBodies ? all : standard }
        return try names.split(separator: ",").map { raw throws(ExportError) in
            let name = raw.trimmingCharacters(in: .whitespaces)
            guard let field = all.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) else {
                throw ExportError("unknown field '\(name)'; known fields: \(all.map(\.name).joined(separator: ", "))")
            }
            guard withBodies || !bodies.contains(field) else {
                throw ExportError("the field '\(field.name)' needs --with-bodies (withBodies=true)")
            }
            return field
        }
    }
}

/// One cell of an export.
public enum ExportValue: Sendable, Equatable {
    case text(String?)
    case integer(Int?)
    case real(Double?)
    case bool(Bool)
}

/// An export that cannot be made as asked; the message says what to change.
public struct ExportError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
