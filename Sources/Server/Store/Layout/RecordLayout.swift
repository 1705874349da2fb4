import Foundation
import LLMTraceModel

/// The one storage layout every SQL store shares: a record's fields as typed columns of one table, its
/// headers as `name: value` lines and its bodies as raw bytes in BLOB columns, its tool calls and
/// choices as small JSON BLOBs. No JSON document per record: encoding one with Foundation's encoder
/// was a fifth of the proxy's CPU.
///
/// Bodies are stored uncompressed: LLM request and response bodies are mostly a few kilobytes of JSON,
/// where compressing costs more CPU on the capture path than the disk it saves is worth, and raw bytes
/// keep bodies readable with the database's own tools.
///
/// Every store writes ``insertColumns`` from ``values(of:node:)`` and reads rows that start with
/// ``summaryColumns`` (``summary(_:)``) or ``allColumns`` (``record(_:)``), so they store and answer alike.
enum RecordLayout {
    /// The table's name in every engine (PostgreSQL and MySQL put it in their own schema or database).
    static let table = "llmtrace_requests"

    /// The columns a ``TraceSummary`` is read from, in the order ``summary(_:)`` reads them.
    static let summaryColumns: [Column] = [
        Column("id", .key, nullable: false),
        Column("started_at", .real, nullable: false),
        Column("env", .key, nullable: false),
        Column("method", .text, nullable: false),
        Column("scheme", .text, nullable: false),
        Column("host", .text, nullable: false),
        Column("path", .text, nullable: false),
        Column("query", .text),
        Column("provider", .key),
        Column("endpoint", .text),
        Column("model", .key),
        Column("model_source", .text),
        Column("stream", .bool, nullable: false),
        Column("status", .integer),
        Column("error_type", .text),
        Column("error_message", .blob),
        Column("duration_ms", .real),
        Column("ttft_ms", .real),
        Column("input_tokens", .integer),
        Column("output_tokens", .integer),
        Column("cached_input_tokens", .integer),
        Column("cache_creation_tokens", .integer),
        Column("reasoning_tokens", .integer),
        Column("total_tokens", .integer),
        Column("cost", .real),
        Column("text", .blob),
        Column("tool_calls", .blob),
        Column("finish_reason", .text),
        Column("complete", .bool, nullable: false),
        Column("session_id", .key),
        Column("turn", .integer),
        Column("replay_of", .key),
    ]

    /// The columns added after the first shared layout (schema version 4), with their types: what a
    /// migration adds to an older table.
    static let sessionColumns: [Column] = Array(summaryColumns.suffix(3))

    /// The index a session's turns and the session list are read through.
    static let sessionIndex = "llmtrace_requests_session"
    static let sessionIndexColumns = "session_id, started_at"

    /// The rest of a record, after the summary's columns, in the order ``record(_:)`` reads them.
    static let detailColumns: [Column] =
        [Column("request_headers", .blob), Column("response_headers", .blob)]
        + bodyColumns("request_body") + bodyColumns("response_body")
        + [Column("choices", .blob)]

    private static func bodyColumns(_ prefix: String) -> [Column] {
        [
            Column(prefix, .blob),
            Column(prefix + "_text", .bool),
            Column(prefix + "_size", .integer),
            Column(prefix + "_truncated", .bool),
            Column(prefix + "_decoded_from", .text),
        ]
    }

    static let allColumns = summaryColumns + detailColumns

    /// Columns derived from the record for filtering: whether it is an error, the lowercased text that
    /// `q=` searches, and the node that saved it (empty on a single node).
    static let derivedColumns: [Column] = [
        Column("is_error", .bool, nullable: false),
        Column("search", .text, nullable: false),
        Column("node", .key, nullable: false),
    ]

    /// Every column an insert writes, in the order of ``values(of:node:)``.
    static let insertColumns = allColumns + derivedColumns

    static let summaryColumnNames = summaryColumns.map(\.name).joined(separator: ", ")
    static let allColumnNames = allColumns.map(\.name).joined(separator: ", ")
    static let insertColumnNames = insertColumns.map(\.name).joined(separator: ", ")

    // MARK: Writing

    /// The last version of each record in `records`, in id order: what a batch saves when it holds an
    /// id twice (as saving one at a time would leave it), in the order concurrent writers lock rows.
    static func latestVersions(_ records: [TraceRecord]) -> [TraceRecord] {
        var latest: [String: TraceRecord] = [:]
        for r in records { latest[r.id] = r }
        return latest.values.sorted { $0.id < $1.id }
    }

    /// The values of ``insertColumns`` for `r`, saved by `node`.
    static func values(of r: TraceRecord, node: String = "") throws -> [ColumnValue] {
        let s = r.summary
        var v: [ColumnValue] = []
        v.reserveCapacity(insertColumns.count)
        v.append(.text(s.id))
        v.append(.real(s.startedAt.timeIntervalSince1970))
        v.append(.text(s.env))
        v.append(.text(s.method))
        v.append(.text(s.scheme))
        v.append(.text(s.host))
        v.append(.text(s.path))
        v.append(ColumnValue(s.query))
        v.append(ColumnValue(s.provider))
        v.append(ColumnValue(s.endpoint))
        v.append(ColumnValue(s.model))
        v.append(ColumnValue(s.modelSource))
        v.append(.bool(s.stream))
        v.append(ColumnValue(s.status))
        v.append(ColumnValue(s.error?.type))
        v.append(ColumnValue(utf8: s.error?.message))
        v.append(ColumnValue(s.durationMs.flatMap { $0.isNaN ? nil : $0 }))
        v.append(ColumnValue(s.ttftMs.flatMap { $0.isNaN ? nil : $0 }))
        v.append(ColumnValue(s.usage.inputTokens))
        v.append(ColumnValue(s.usage.outputTokens))
        v.append(ColumnValue(s.usage.cachedInputTokens))
        v.append(ColumnValue(s.usage.cacheCreationTokens))
        v.append(ColumnValue(s.usage.reasoningTokens))
        v.append(ColumnValue(s.usage.totalTokens))
        v.append(ColumnValue(s.estimatedCost.flatMap { $0.isNaN ? nil : $0 }))
        v.append(ColumnValue(utf8: s.text))
        v.append(s.toolCalls.isEmpty ? .null : .blob(Array(try JSONEncoder().encode(s.toolCalls))))
        v.append(ColumnValue(s.finishReason))
        v.append(.bool(s.complete))
        v.append(ColumnValue(s.sessionId))
        v.append(ColumnValue(s.turn))
        v.append(ColumnValue(s.replayOf))
        v.append(ColumnValue(blob: headerBytes(r.requestHeaders)))
        v.append(ColumnValue(blob: headerBytes(r.responseHeaders)))
        for body in [r.requestBody, r.responseBody] {
            v.append(ColumnValue(blob: body?.bytes))
            v.append(ColumnValue(body.map { $0.encoding == .utf8 }))
            v.append(ColumnValue(body?.size))
            v.append(ColumnValue(body?.truncated))
            v.append(ColumnValue(body?.decodedFrom))
        }
        v.append(try r.choices.map { .blob(Array(try JSONEncoder().encode($0))) } ?? .null)
        v.append(.bool(s.isError))
        v.append(.text(searchText(s)))
        v.append(.text(node))
        return v
    }

    /// What `q=` searches: path, host, model, answer and error message, lowercased (NUL as a space, which
    /// PostgreSQL's `text` cannot hold).
    static func searchText(_ s: TraceSummary) -> String {
        let text = [s.path, s.host, s.model ?? "", s.text ?? "", s.error?.message ?? ""].joined(separator: "\n").lowercased()
        return text.contains("\u{0}") ? text.replacingOccurrences(of: "\u{0}", with: " ") : text
    }

    /// Headers as HTTP/1 lines (`name: value\r\n`): names hold no colon and values no line break, so the
    /// lines read back exactly. `nil` when there are none.
    static func headerBytes(_ headers: [HeaderField]) -> [UInt8]? {
        guard !headers.isEmpty else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 })
        for h in headers {
            bytes += h.name.utf8
            bytes += [UInt8(ascii: ":"), UInt8(ascii: " ")]
            bytes += h.value.utf8
            bytes += [UInt8(ascii: "\r"), UInt8(ascii: "\n")]
        }
        return bytes
    }

    static func headers(_ bytes: [UInt8]?) -> [HeaderField] {
        guard let bytes, !bytes.isEmpty else { return [] }
        var fields: [HeaderField] = []
        var lineStart = 0
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\r"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\n") {
                fields.append(field(bytes[lineStart..<i]))
                i += 2
                lineStart = i
            } else {
                i += 1
            }
        }
        if lineStart < bytes.count { fields.append(field(bytes[lineStart...])) }
        return fields
    }

    private static func field(_ line: ArraySlice<UInt8>) -> HeaderField {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            return HeaderField(name: String(decoding: line, as: UTF8.self), value: "")
        }
        var valueStart = colon + 1
        if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        return HeaderField(name: String(decoding: line[..<colon], as: UTF8.self), value: String(decoding: line[valueStart...], as: UTF8.self))
    }

    // MARK: Reading

    /// The summary in a row that starts with ``summaryColumns``.
    static func summary(_ row: some ColumnReader) throws -> TraceSummary {
        func at(_ i: Int) throws -> ColumnValue { try row.value(at: i, as: summaryColumns[i].type) }
        var s = TraceSummary(
            id: try at(0).string ?? "",
            env: try at(2).string ?? "",
            method: try at(3).string ?? "",
            scheme: try at(4).string ?? "",
            host: try at(5).string ?? "",
            path: try at(6).string ?? "",
            query: try at(7).string,
            provider: try at(8).string,
            endpoint: try at(9).string,
            model: try at(10).string,
            stream: try at(12).bool ?? false,
            status: try at(13).int,
            startedAt: Date(timeIntervalSince1970: try at(1).double ?? 0)
        )
        s.modelSource = try at(11).string
        if let type = try at(14).string { s.error = TraceError(type: type, message: try at(15).string ?? "") }
        s.durationMs = try at(16).double
        s.ttftMs = try at(17).double
        s.usage = Usage(
            inputTokens: try at(18).int,
            outputTokens: try at(19).int,
            cachedInputTokens: try at(20).int,
            cacheCreationTokens: try at(21).int,
            reasoningTokens: try at(22).int,
            totalTokens: try at(23).int
        )
        s.estimatedCost = try at(24).double
        s.text = try at(25).string
        if let json = try at(26).bytes { s.toolCalls = try JSONDecoder().decode([ToolCall].self, from: Data(json)) }
        s.finishReason = try at(27).string
        s.complete = try at(28).bool ?? false
        s.sessionId = try at(29).string
        s.turn = try at(30).int
        s.replayOf = try at(31).string
        return s
    }

    /// The record in a row of ``allColumns``.
    static func record(_ row: some ColumnReader) throws -> TraceRecord {
        let base = summaryColumns.count
        func at(_ i: Int) throws -> ColumnValue { try row.value(at: base + i, as: detailColumns[i].type) }
        func body(_ i: Int) throws -> CapturedBody? {
            guard let bytes = try at(i).bytes else { return nil }
            let isText = try at(i + 1).bool ?? false
            return CapturedBody(
                content: isText ? String(decoding: bytes, as: UTF8.self) : Data(bytes).base64EncodedString(),
                encoding: isText ? .utf8 : .base64,
                size: try at(i + 2).int ?? bytes.count,
                truncated: try at(i + 3).bool ?? false,
                decodedFrom: try at(i + 4).string
            )
        }
        return TraceRecord(
            summary: try summary(row),
            requestHeaders: headers(try at(0).bytes),
            responseHeaders: headers(try at(1).bytes),
            requestBody: try body(2),
            responseBody: try body(7),
            choices: try at(12).bytes.map { try JSONDecoder().decode([Choice].self, from: Data($0)) }
        )
    }
}
