import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing

@testable import LLMTraceModel
@testable import Server

/// Several nodes on one PostgreSQL database: each hears of the others' records, and a cluster-wide job
/// runs on one node at a time. Runs when `LLMTRACE_TEST_POSTGRES_URL` is set.
@Suite(.enabled(if: conformancePostgresURL != nil, "LLMTRACE_TEST_POSTGRES_URL is not set: PostgreSQL cluster tests skipped"))
struct PostgresClusterTests {
    /// Two stores on one fresh schema, as nodes `a` and `b`, for the length of `body`.
    static func withTwoNodes(_ body: (PostgresStore, PostgresStore) async throws -> Void) async throws {
        let url = try DatabaseURL(try #require(conformancePostgresURL))
        let schema = "llmtrace_c_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let a = try await PostgresStore.connect(url, schema: String(schema), node: "a")
        let b = try await PostgresStore.connect(url, schema: String(schema), node: "b")
        do {
            try await body(a, b)
        } catch {
            try? await a.client.query("DROP SCHEMA \(unescaped: "\"\(schema)\"") CASCADE")
            try? await a.close()
            try? await b.close()
            throw error
        }
        try await a.client.query("DROP SCHEMA \(unescaped: "\"\(schema)\"") CASCADE")
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

    @Test func eachNodeHearsOfTheOthersRecordsButNotItsOwn() async throws {
        try await Self.withTwoNodes { a, b in
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

    @Test func aFeedFollowsAgainAfterItsConnectionIsKilledAndMissesNothing() async throws {
        try await Self.withTwoNodes { a, b in
            let hub = EventHub(logger: Logger(label: "test")) { nil }
            let feed = ClusterFeed(store: b, events: hub, logger: Logger(label: "test"))
            let events = hub.subscribe(filter: .init(), lastEventID: nil)
            let runner = Task { try await feed.run() }
            #expect(await Self.eventually { feed.health.following })
            try await Task.sleep(for: .milliseconds(300))  // LISTEN sent
            try await a.save(StoreConformanceTests.records(1))
            #expect(await Self.eventually { feed.health.received == 1 })
            // Kill b's LISTEN connection; what a saves meanwhile arrives once b follows again.
            try await a.client.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE \("LISTEN%" + b.channel + "%") AND pid <> pg_backend_pid()"
            )
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

    @Test func aClusterJobRunsOnOneNodeAtATime() async throws {
        try await Self.withTwoNodes { a, b in
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
}
