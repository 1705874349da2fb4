import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing

@testable import LLMTraceModel
@testable import Server

/// The server databases several nodes can share, when their test servers are configured.
let sharedKinds: [StoreConformanceTests.Kind] = (conformancePostgresURL != nil ? [.postgres] : []) + (conformanceMySQLURL != nil ? [.mysql] : [])

/// Several nodes on one PostgreSQL or MySQL database: each hears of the others' records, and a
/// cluster-wide job runs on one node at a time. Runs for each server whose `LLMTRACE_TEST_*_URL` is set.
@Suite(.enabled(if: !sharedKinds.isEmpty, "neither LLMTRACE_TEST_POSTGRES_URL nor LLMTRACE_TEST_MYSQL_URL is set: shared-store tests skipped"))
struct SharedStoreTests {
    /// Two stores on one fresh schema (PostgreSQL) or database (MySQL), as nodes `a` and `b`, for the
    /// length of `body`.
    static func withTwoNodes(_ kind: StoreConformanceTests.Kind, _ body: (any SharedStore, any SharedStore) async throws -> Void) async throws {
        let a: any SharedStore
        let b: any SharedStore
        let dispose: () async throws -> Void
        switch kind {
        case .postgres:
            let url = try DatabaseURL(try #require(conformancePostgresURL))
            let schema = "llmtrace_c_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            let pa = try await PostgresStore.connect(url, schema: String(schema), node: "a")
            a = pa
            b = try await PostgresStore.connect(url, schema: String(schema), node: "b")
            dispose = { try await pa.client.query("DROP SCHEMA \(unescaped: "\"\(schema)\"") CASCADE") }
        case .mysql:
            let url = try await MySQLTestDatabase.create()
            a = try await MySQLStore.connect(url, node: "a")
            b = try await MySQLStore.connect(url, node: "b")
            dispose = { try await MySQLTestDatabase.drop(url) }
        case .sqlite:
            Issue.record("SQLite is not shared")
            return
        }
        do {
            try await body(a, b)
        } catch {
            try? await dispose()
            try? await a.close()
            try? await b.close()
            throw error
        }
        try await dispose()
        try await a.close()
        try await b.close()
    }

    /// Waits (polling, up to `timeout`) until `condition` holds.
    static func eventually(timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    @Test(arguments: sharedKinds) func eachNodeHearsOfTheOthersRecordsButNotItsOwn(kind: StoreConformanceTests.Kind) async throws {
        try await Self.withTwoNodes(kind) { a, b in
            let heard = Mutex<[SavedSummary]>([])
            // Saved before b follows: read by the catch-up from `since`.
            try await a.save(StoreConformanceTests.records(2))
            let follower = Task {
                try await b.followOtherNodes(since: 0) { batch in heard.withLock { $0 += batch } }
            }
            #expect(await Self.eventually { heard.withLock { $0.count } == 2 })
            // Saved while b follows: announced by NOTIFY. b's own saves are not announced to b.
            try await b.save(StoreConformanceTests.records(3, offset: 100))
            var updated = StoreConformanceTests.records(5, offset: 2)
            try await a.save(updated)
            #expect(await Self.eventually { heard.withLock { $0.count } == 7 })
            updated[0].summary.complete = true
            try await a.save([updated[0]])
            #expect(await Self.eventually { heard.withLock { $0.count } == 8 })
            let got = heard.withLock { $0 }
            #expect(got.map(\.summary.id) == StoreConformanceTests.records(7).map(\.id) + [updated[0].id])
            #expect(got.last?.summary == updated[0].summary)
            #expect(got.last!.savedAt >= got.first!.savedAt)
            follower.cancel()
            _ = await follower.result
        }
    }

    @Test(arguments: sharedKinds) func aFeedFollowsAgainAfterItsConnectionIsKilledAndMissesNothing(kind: StoreConformanceTests.Kind) async throws {
        try await Self.withTwoNodes(kind) { a, b in
            let hub = EventHub(logger: Logger(label: "test")) { nil }
            let feed = ClusterFeed(store: b, events: hub, logger: Logger(label: "test"))
            let events = hub.subscribe(filter: .init(), lastEventID: nil)
            let runner = Task { try await feed.run() }
            #expect(await Self.eventually { feed.health.following })
            // No pause for LISTEN: what a saves while b connects is read once b listens.
            try await a.save(StoreConformanceTests.records(1))
            #expect(await Self.eventually { feed.health.received == 1 })
            // Kill b's connections (PostgreSQL: its LISTEN one); what a saves meanwhile arrives once b follows again.
            try await Self.killConnections(of: b)
            try await a.save(StoreConformanceTests.records(3, offset: 1))
            #expect(await Self.eventually(timeout: .seconds(20)) { feed.health.received == 4 })
            let ids = await EventHubTests.take(4, from: events).compactMap { try? $0.payload() }.map { payload -> String in
                switch payload {
                case .started(let s), .updated(let s), .completed(let s): return s.id
                default: return ""
                }
            }
            #expect(ids == StoreConformanceTests.records(4).map(\.id))
            runner.cancel()
            _ = await runner.result
        }
    }

    @Test(arguments: sharedKinds) func aClusterJobRunsOnOneNodeAtATime(kind: StoreConformanceTests.Kind) async throws {
        try await Self.withTwoNodes(kind) { a, b in
            let inner = try await a.exclusively("retention") {
                // b finds the job running and skips it; another job name is free.
                let skipped = try await b.exclusively("retention") { 1 }
                let other = try await b.exclusively("other") { 2 }
                return [skipped, other]
            }
            #expect(inner == [nil, 2])
            #expect(try await b.exclusively("retention") { 3 } == 3)
        }
    }

    /// Kills the follower's connections from the server side.
    static func killConnections(of store: any SharedStore) async throws {
        if let pg = store as? PostgresStore {
            try await pg.client.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE \("LISTEN%" + pg.channel + "%") AND pid <> pg_backend_pid()"
            )
        } else if let my = store as? MySQLStore {
            let database = my.url.database
            try await MySQLTestDatabase.withAdminConnection { c in
                let ids = try c.query("SELECT id FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()", [.text(database)])
                for row in ids {
                    if let id = try row.value(at: 0, as: .integer).int { _ = try? c.execute("KILL \(id)") }
                }
            }
        }
    }
}
