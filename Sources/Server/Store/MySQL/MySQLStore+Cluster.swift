import Foundation
import LLMTraceModel

/// Many nodes on one MySQL database. MySQL has no `LISTEN`/`NOTIFY`, so each node polls: every
/// ``pollInterval`` it reads the ids and save times of records other nodes saved since its watermark
/// (through the `(saved_at, node, id)` index), then the summaries of those it has not delivered.
/// The last ``pollOverlap`` seconds are read again each time: a transaction stamped earlier can commit
/// after one stamped later.
extension MySQLStore: SharedStore {
    static let pollInterval: Duration = .milliseconds(250)
    static let pollOverlap = 2.0

    public func followOtherNodes(since: Double?, _ body: @escaping @Sendable ([SavedSummary]) async -> Void) async throws {
        let requests = Self.requests
        let node = self.node
        var watermark: Double
        if let since {
            watermark = since - 5
        } else {
            watermark = try await run(doing: "cannot follow other nodes on") { connection in
                try connection.query("SELECT \(Self.savedAtNow)").first?.value(at: 0, as: .real).double ?? Date().timeIntervalSince1970
            }
        }
        var delivered: [String: Double] = [:]
        while !Task.isCancelled {
            let from = watermark - Self.pollOverlap
            let saved: [(id: String, savedAt: Double)] = try await run(doing: "cannot follow other nodes on") { connection in
                try connection.query(
                    "SELECT id, saved_at FROM \(requests) WHERE saved_at >= ? AND node <> ? ORDER BY saved_at, id LIMIT 20000",
                    [.real(from), .text(node)]
                ).map { (try $0.value(at: 0, as: .key).string ?? "", try $0.value(at: 1, as: .real).double ?? 0) }
            }
            let fresh = saved.filter { delivered[$0.id] != $0.savedAt }
            for chunk in stride(from: 0, to: fresh.count, by: 500).map({ Array(fresh[$0..<min($0 + 500, fresh.count)]) }) {
                let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                let ids = chunk.map { ColumnValue.text($0.id) }
                let summaries: [SavedSummary] = try await run(doing: "cannot follow other nodes on") { connection in
                    try connection.query(
                        "SELECT \(RecordLayout.summaryColumnNames), saved_at FROM \(requests) WHERE id IN (\(placeholders)) ORDER BY saved_at, id",
                        ids
                    ).map { row in
                        SavedSummary(
                            summary: try RecordLayout.summary(row),
                            savedAt: try row.value(at: RecordLayout.summaryColumns.count, as: .real).double ?? 0
                        )
                    }
                }
                for s in summaries { delivered[s.summary.id] = s.savedAt }
                await body(summaries)
            }
            if let newest = saved.last?.savedAt { watermark = max(watermark, newest) }
            delivered = delivered.filter { $0.value >= watermark - Self.pollOverlap - 1 }
            try await Task.sleep(for: Self.pollInterval)
        }
    }

    public func exclusively<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T? {
        let lock = Self.lockName("llmtrace.\(name)", database: url.database)
        let session: MySQLConnection
        do {
            session = try await pool.openDedicated()
        } catch {
            throw describe(error, doing: "cannot run \(name) on")
        }
        // The lock belongs to the session: closing the connection releases it, whatever happened. It is
        // released first in so many words, since the server may notice the closed connection a moment
        // later, and another node asking meanwhile would skip a job that is free.
        func close() async {
            _ = try? await pool.run(on: session) { c in
                _ = try? c.query("SELECT RELEASE_LOCK(?)", [.text(lock)])
                c.close()
            }
        }
        let locked: Bool
        do {
            locked = try await pool.run(on: session) { c in
                try c.query("SELECT GET_LOCK(?, 0)", [.text(lock)]).first?.value(at: 0, as: .integer).int == 1
            }
        } catch {
            await close()
            throw describe(error, doing: "cannot run \(name) on")
        }
        guard locked else {
            await close()
            return nil
        }
        do {
            let result = try await body()
            await close()
            return result
        } catch {
            await close()
            throw error
        }
    }

    /// Runs `body` with a pooled connection, its failures explained.
    private func run<T: Sendable>(doing what: String, _ body: @escaping @Sendable (MySQLConnection) throws -> T) async throws -> T {
        do {
            return try await pool.withConnection(body)
        } catch {
            throw describe(error, doing: what)
        }
    }
}
