import Foundation
import LLMTraceModel
import Logging
import NIOCore
import PostgresNIO

/// Many nodes on one database: every save announces its ids with `NOTIFY` in its own transaction (so
/// only committed records are announced), each node `LISTEN`s on its own connection and reads the
/// records named; notifications carry ids only (their payload is limited to 8 000 bytes).
extension PostgresStore: SharedStore {
    /// The `LISTEN`/`NOTIFY` channel of this store's schema.
    var channel: String { "llmtrace_\(schema)".lowercased() }

    /// The most ids one notification names (ids are ~22 bytes; the payload limit is 8 000).
    static let idsPerNotification = 250

    /// `NOTIFY` statements announcing `ids`, saved by this node: `node\nid,id,…`.
    func notifications(_ ids: [String]) -> [PostgresQuery] {
        stride(from: 0, to: ids.count, by: Self.idsPerNotification).map { start in
            let chunk = ids[start..<min(start + Self.idsPerNotification, ids.count)]
            let payload = node + "\n" + chunk.joined(separator: ",")
            return "SELECT pg_notify(\(channel), \(payload))"
        }
    }

    public func followOtherNodes(since: Double?, _ body: @escaping @Sendable ([SavedSummary]) async -> Void) async throws {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: connectionConfiguration, id: 1, logger: logger)
        } catch {
            throw describe(error, doing: "cannot follow other nodes on")
        }
        do {
            try await connection.listen(on: channel) { notifications in
                // Listening now: what was saved while not listening is read once, then every notification.
                if let since {
                    var condition = SQLCondition(.postgres)
                    condition.append("saved_at >= \(condition.bind(.real(since - 5)))")
                    condition.append("node <> \(condition.bind(.text(node)))")
                    try await body(
                        savedSummaries(where: condition.whereClause, PostgresBindings(condition.values), on: connection, order: "saved_at, id")
                    )
                }
                for try await notification in notifications {
                    let parts = notification.payload.split(separator: "\n", maxSplits: 1)
                    guard parts.count == 2, parts[0] != node else { continue }
                    let ids = parts[1].split(separator: ",").map(String.init)
                    var binds = PostgresBindings()
                    binds.append(ids)
                    try await body(savedSummaries(where: "WHERE id = ANY($1)", binds, on: connection, order: "id"))
                }
            }
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw describe(error, doing: "stopped following other nodes on")
        }
    }

    /// Summaries with their save times, for `condition`.
    private func savedSummaries(
        where condition: String,
        _ binds: PostgresBindings,
        on connection: PostgresConnection,
        order: String
    ) async throws -> [SavedSummary] {
        let sql = "SELECT \(RecordLayout.summaryColumnNames), saved_at FROM \(table(RecordLayout.table)) \(condition) ORDER BY \(order)"
        var saved: [SavedSummary] = []
        let savedAtIndex = RecordLayout.summaryColumns.count
        for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger) {
            let r = row.makeRandomAccess()
            saved.append(SavedSummary(summary: try RecordLayout.summary(r), savedAt: try r[savedAtIndex].decode(Double.self)))
        }
        return saved
    }

    public func exclusively<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T? {
        let key = "llmtrace.\(name).\(schema)"
        do {
            return try await client.withConnection { connection in
                var locked = false
                for try await l in try await connection.query("SELECT pg_try_advisory_lock(hashtext(\(key)))", logger: self.logger).decode(Bool.self)
                {
                    locked = l
                }
                guard locked else { return nil }
                do {
                    let result = try await body()
                    _ = try? await connection.query("SELECT pg_advisory_unlock(hashtext(\(key)))", logger: self.logger)
                    return result
                } catch {
                    _ = try? await connection.query("SELECT pg_advisory_unlock(hashtext(\(key)))", logger: self.logger)
                    throw error
                }
            }
        } catch {
            throw describe(error, doing: "cannot run \(name) on")
        }
    }
}
