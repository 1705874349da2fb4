import Foundation
import GRDB

@testable import LLMTraceModel

/// A trace.db as llmtrace wrote it before the shared record layout (the JSON-document schema of GRDB
/// migrations "v1: requests" and "v2: hourly rollups and duration bins"), made with raw SQL copied
/// from that build, so the tests keep meaning the same file whatever the store's code becomes.
enum LegacySQLiteFile {
    /// Writes `records` into a new file at `path` with the schema of migration v1, or of v1 and v2.
    static func make(path: String, records: [TraceRecord], withV2: Bool = true) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                    CREATE TABLE requests (
                        id TEXT NOT NULL PRIMARY KEY,
                        started_at REAL NOT NULL,
                        env TEXT NOT NULL,
                        model TEXT,
                        provider TEXT,
                        status INTEGER,
                        is_error INTEGER NOT NULL,
                        complete INTEGER NOT NULL,
                        input_tokens INTEGER,
                        output_tokens INTEGER,
                        total_tokens INTEGER,
                        cost REAL,
                        duration_ms REAL,
                        search TEXT NOT NULL,
                        summary TEXT NOT NULL,
                        detail TEXT NOT NULL
                    );
                    CREATE INDEX requests_started_at ON requests(started_at);
                    CREATE INDEX requests_env ON requests(env, id);
                    CREATE INDEX requests_model ON requests(model, id);
                    CREATE INDEX requests_status ON requests(status, id);
                    INSERT INTO grdb_migrations (identifier) VALUES ('v1: requests');
                    """
            )
            if withV2 {
                try db.execute(
                    sql: """
                        ALTER TABLE requests ADD COLUMN duration_bin INTEGER GENERATED ALWAYS AS (CASE WHEN duration_ms IS NULL THEN NULL \
                        WHEN duration_ms < 0 THEN 0 WHEN duration_ms < 1000 THEN CAST(duration_ms / 10 AS INTEGER) \
                        WHEN duration_ms < 10000 THEN 90 + CAST(duration_ms / 100 AS INTEGER) \
                        WHEN duration_ms < 100000 THEN 180 + CAST(duration_ms / 1000 AS INTEGER) \
                        WHEN duration_ms < 1000000 THEN 270 + CAST(duration_ms / 10000 AS INTEGER) \
                        WHEN duration_ms < 10000000 THEN 360 + CAST(duration_ms / 100000 AS INTEGER) ELSE 460 END) VIRTUAL;
                        CREATE INDEX requests_duration_bin ON requests(duration_bin, started_at, duration_ms, env, model);
                        CREATE INDEX requests_error ON requests(is_error, id);
                        CREATE TABLE rollup_hourly (
                            hour INTEGER NOT NULL,
                            env TEXT NOT NULL,
                            has_model INTEGER NOT NULL,
                            model TEXT NOT NULL,
                            requests INTEGER NOT NULL,
                            prompt INTEGER NOT NULL,
                            completion INTEGER NOT NULL,
                            total INTEGER NOT NULL,
                            errors INTEGER NOT NULL,
                            cost REAL NOT NULL,
                            finished INTEGER NOT NULL,
                            duration_sum REAL NOT NULL,
                            unpriced INTEGER NOT NULL,
                            bins BLOB NOT NULL,
                            PRIMARY KEY (hour, env, has_model, model)
                        ) WITHOUT ROWID;
                        INSERT INTO rollup_hourly VALUES (1, 'stale', 0, '', 99, 0, 0, 0, 0, 0, 0, 0, 0, x'');
                        INSERT INTO grdb_migrations (identifier) VALUES ('v2: hourly rollups and duration bins');
                        """
                )
            }
            for r in records {
                let s = r.summary
                try db.execute(
                    sql: """
                        INSERT INTO requests (id, started_at, env, model, provider, status, is_error, complete, input_tokens,
                            output_tokens, total_tokens, cost, duration_ms, search, summary, detail)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        s.id, s.startedAt.timeIntervalSince1970, s.env, s.model, s.provider, s.status, s.isError, s.complete,
                        s.usage.inputTokens, s.usage.outputTokens, s.usage.totalTokens, s.estimatedCost, s.durationMs,
                        [s.path, s.host, s.model ?? "", s.text ?? "", s.error?.message ?? ""].joined(separator: "\n").lowercased(),
                        try json(summary(s)), try json(detail(r)),
                    ]
                )
            }
        }
        try queue.close()
    }

    // MARK: The documents, as that build's JSON encoder wrote them

    static func json(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes]), as: UTF8.self)
    }

    /// Dates as ISO-8601 UTC with milliseconds.
    static func date(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: d)
    }

    static func summary(_ s: TraceSummary) -> [String: Any] {
        func orNull(_ v: Any?) -> Any { v ?? NSNull() }
        return [
            "id": s.id, "env": s.env, "method": s.method, "scheme": s.scheme, "host": s.host, "path": s.path,
            "query": orNull(s.query), "provider": orNull(s.provider), "endpoint": orNull(s.endpoint), "model": orNull(s.model),
            "modelSource": orNull(s.modelSource), "stream": s.stream, "status": orNull(s.status),
            "error": s.error.map { ["type": $0.type, "message": $0.message] as [String: Any] } ?? NSNull(),
            "startedAt": date(s.startedAt), "durationMs": orNull(s.durationMs), "ttftMs": orNull(s.ttftMs),
            "usage": [
                "inputTokens": orNull(s.usage.inputTokens), "outputTokens": orNull(s.usage.outputTokens),
                "cachedInputTokens": orNull(s.usage.cachedInputTokens), "cacheCreationTokens": orNull(s.usage.cacheCreationTokens),
                "reasoningTokens": orNull(s.usage.reasoningTokens), "totalTokens": orNull(s.usage.totalTokens),
            ] as [String: Any],
            "estimatedCost": orNull(s.estimatedCost), "text": orNull(s.text),
            "toolCalls": s.toolCalls.map {
                ["id": orNull($0.id), "name": $0.name, "arguments": $0.arguments, "type": orNull($0.type), "output": orNull($0.output)]
                    as [String: Any]
            },
            "finishReason": orNull(s.finishReason), "complete": s.complete,
        ]
    }

    static func detail(_ r: TraceRecord) -> [String: Any] {
        func body(_ b: CapturedBody?) -> Any {
            guard let b else { return NSNull() }
            var out: [String: Any] = ["content": b.content, "encoding": b.encoding.rawValue, "size": b.size, "truncated": b.truncated]
            if let d = b.decodedFrom { out["decodedFrom"] = d }
            return out
        }
        var out: [String: Any] = [
            "requestHeaders": r.requestHeaders.map { ["name": $0.name, "value": $0.value] },
            "responseHeaders": r.responseHeaders.map { ["name": $0.name, "value": $0.value] },
            "requestBody": body(r.requestBody),
            "responseBody": body(r.responseBody),
        ]
        if let choices = r.choices {
            out["choices"] = choices.map {
                ["index": $0.index, "text": $0.text ?? NSNull(), "finishReason": $0.finishReason ?? NSNull()] as [String: Any]
            }
        }
        return out
    }
}
