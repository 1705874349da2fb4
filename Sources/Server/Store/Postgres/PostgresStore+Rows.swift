import Foundation
import LLMTraceModel
import NIOCore
import PostgresNIO

extension PostgresStore {
    /// The columns a ``TraceSummary`` is read from, in the order ``summary(_:)`` reads them.
    static let summaryColumns = [
        "id", "started_at", "env", "method", "scheme", "host", "path", "query", "provider", "endpoint", "model",
        "model_source", "stream", "status", "error_type", "error_message", "duration_ms", "ttft_ms", "input_tokens",
        "output_tokens", "cached_input_tokens", "cache_creation_tokens", "reasoning_tokens", "total_tokens", "cost",
        "text", "tool_calls", "finish_reason", "complete",
    ]
    /// The rest of a record, after the summary's columns.
    static let detailColumns = [
        "request_headers", "response_headers",
        "request_body", "request_body_text", "request_body_size", "request_body_truncated", "request_body_decoded_from",
        "response_body", "response_body_text", "response_body_size", "response_body_truncated", "response_body_decoded_from",
        "choices",
    ]
    static let allColumns = summaryColumns + detailColumns
    /// Every column an insert writes: the record's and the derived `is_error` and `search`.
    static let insertColumns = allColumns + ["is_error", "search"]

    static func binds(_ values: [any PostgresDynamicTypeEncodable]) -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values { binds.append(value) }
        return binds
    }

    /// One multi-row `INSERT … ON CONFLICT (id) DO UPDATE` for `records` (ids unique within it).
    func insertQuery(_ records: ArraySlice<TraceRecord>) throws -> PostgresQuery {
        let encoder = JSONEncoder()
        var binds = PostgresBindings(capacity: records.count * Self.insertColumns.count)
        var rows: [String] = []
        func bytes(_ data: Data) -> ByteBuffer { ByteBuffer(bytes: data) }
        for r in records {
            let first = binds.count + 1
            let s = r.summary
            binds.append(s.id)
            binds.append(s.startedAt.timeIntervalSinceReferenceDate)
            binds.append(s.env)
            binds.append(s.method)
            binds.append(s.scheme)
            binds.append(s.host)
            binds.append(s.path)
            binds.append(s.query)
            binds.append(s.provider)
            binds.append(s.endpoint)
            binds.append(s.model)
            binds.append(s.modelSource)
            binds.append(s.stream)
            binds.append(s.status)
            binds.append(s.error?.type)
            binds.append(s.error.map { ByteBuffer(string: $0.message) })
            binds.append(s.durationMs)
            binds.append(s.ttftMs)
            binds.append(s.usage.inputTokens)
            binds.append(s.usage.outputTokens)
            binds.append(s.usage.cachedInputTokens)
            binds.append(s.usage.cacheCreationTokens)
            binds.append(s.usage.reasoningTokens)
            binds.append(s.usage.totalTokens)
            binds.append(s.estimatedCost)
            binds.append(s.text.map { ByteBuffer(string: $0) })
            binds.append(s.toolCalls.isEmpty ? nil : bytes(try encoder.encode(s.toolCalls)))
            binds.append(s.finishReason)
            binds.append(s.complete)
            binds.append(r.requestHeaders.isEmpty ? nil : bytes(try encoder.encode(r.requestHeaders)))
            binds.append(r.responseHeaders.isEmpty ? nil : bytes(try encoder.encode(r.responseHeaders)))
            for body in [r.requestBody, r.responseBody] {
                binds.append(body.map { ByteBuffer(bytes: $0.bytes) })
                binds.append(body.map { $0.encoding == .utf8 })
                binds.append(body?.size)
                binds.append(body?.truncated)
                binds.append(body?.decodedFrom)
            }
            binds.append(try r.choices.map { bytes(try encoder.encode($0)) })
            binds.append(s.isError)
            binds.append(SQLiteStore.searchText(s).replacingOccurrences(of: "\u{0}", with: " "))
            rows.append("(" + (first..<first + Self.insertColumns.count).map { "$\($0)" }.joined(separator: ", ") + ")")
        }
        let updates = Self.insertColumns.dropFirst().map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
        let sql =
            "INSERT INTO \(table("llmtrace_requests")) (\(Self.insertColumns.joined(separator: ", "))) VALUES "
            + rows.joined(separator: ", ") + " ON CONFLICT (id) DO UPDATE SET " + updates
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    /// The summary in a row that starts with ``summaryColumns``. `text` and the error message are UTF-8
    /// in `bytea`: PostgreSQL's `text` cannot hold a NUL character, which a model's answer may contain.
    static func summary(_ row: PostgresRandomAccessRow) throws -> TraceSummary {
        var s = TraceSummary(
            id: try row[0].decode(String.self),
            env: try row[2].decode(String.self),
            method: try row[3].decode(String.self),
            scheme: try row[4].decode(String.self),
            host: try row[5].decode(String.self),
            path: try row[6].decode(String.self),
            query: try row[7].decode(String?.self),
            provider: try row[8].decode(String?.self),
            endpoint: try row[9].decode(String?.self),
            model: try row[10].decode(String?.self),
            stream: try row[12].decode(Bool.self),
            status: try row[13].decode(Int?.self),
            startedAt: Date(timeIntervalSinceReferenceDate: try row[1].decode(Double.self))
        )
        s.modelSource = try row[11].decode(String?.self)
        if let type = try row[14].decode(String?.self) {
            s.error = TraceError(type: type, message: try row[15].decode(ByteBuffer?.self).map { String(buffer: $0) } ?? "")
        }
        s.durationMs = try row[16].decode(Double?.self)
        s.ttftMs = try row[17].decode(Double?.self)
        s.usage = Usage(
            inputTokens: try row[18].decode(Int?.self),
            outputTokens: try row[19].decode(Int?.self),
            cachedInputTokens: try row[20].decode(Int?.self),
            cacheCreationTokens: try row[21].decode(Int?.self),
            reasoningTokens: try row[22].decode(Int?.self),
            totalTokens: try row[23].decode(Int?.self)
        )
        s.estimatedCost = try row[24].decode(Double?.self)
        s.text = try row[25].decode(ByteBuffer?.self).map { String(buffer: $0) }
        if let json = try row[26].decode(ByteBuffer?.self) {
            s.toolCalls = try JSONDecoder().decode([ToolCall].self, from: Data(json.readableBytesView))
        }
        s.finishReason = try row[27].decode(String?.self)
        s.complete = try row[28].decode(Bool.self)
        return s
    }

    /// The record in a row of ``allColumns``.
    static func record(_ row: PostgresRandomAccessRow) throws -> TraceRecord {
        let decoder = JSONDecoder()
        let base = summaryColumns.count
        func json<T: Decodable>(_ index: Int, _ type: T.Type) throws -> T? {
            guard let buffer = try row[index].decode(ByteBuffer?.self) else { return nil }
            return try decoder.decode(type, from: Data(buffer.readableBytesView))
        }
        func body(_ index: Int) throws -> CapturedBody? {
            guard let buffer = try row[index].decode(ByteBuffer?.self) else { return nil }
            let bytes = Array(buffer.readableBytesView)
            let isText = try row[index + 1].decode(Bool?.self) ?? false
            let size = try row[index + 2].decode(Int?.self) ?? bytes.count
            let truncated = try row[index + 3].decode(Bool?.self) ?? false
            let decodedFrom = try row[index + 4].decode(String?.self)
            let content = isText ? String(decoding: bytes, as: UTF8.self) : Data(bytes).base64EncodedString()
            return CapturedBody(content: content, encoding: isText ? .utf8 : .base64, size: size, truncated: truncated, decodedFrom: decodedFrom)
        }
        return TraceRecord(
            summary: try summary(row),
            requestHeaders: try json(base, [HeaderField].self) ?? [],
            responseHeaders: try json(base + 1, [HeaderField].self) ?? [],
            requestBody: try body(base + 2),
            responseBody: try body(base + 7),
            choices: try json(base + 12, [Choice].self)
        )
    }
}
