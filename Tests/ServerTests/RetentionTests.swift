import Foundation
import Logging
import Testing

@testable import LLMTraceModel
@testable import Server

@Suite struct RetentionTests {
    static let hour = 3600.0

    /// 20 records, one an hour, the newest at `StoreTests.t0 + 19 h`.
    static func fill(_ store: any TraceStore) async throws {
        try await store.save(
            (0..<20).map { i in
                var r = StoreTests.record(i)
                r.summary.startedAt = StoreTests.t0.addingTimeInterval(Double(i) * hour)
                return r
            }
        )
    }

    static func ids(_ store: any TraceStore) async throws -> [String] {
        try await store.list(filter: RequestFilter(), page: PageRequest(limit: 1000)).items.map(\.id).reversed()
    }

    @Test(arguments: StoreTests.Kind.allCases)
    func retainDeletesRecordsOlderThanThePeriodInBatches(kind: StoreTests.Kind) async throws {
        let store = try StoreTests.makeStore(kind)
        try await Self.fill(store)
        let retention = Retention(store: store, retainSeconds: 5 * Self.hour, maxRecords: nil, batchSize: 3, logger: Logger(label: "test"))
        // "Now" is 2 hours after the newest record: records from 14 h on are younger than 5 h.
        let deleted = await retention.pruneNow(now: StoreTests.t0.addingTimeInterval(21 * Self.hour))
        #expect(deleted == 16)
        #expect(try await Self.ids(store) == (16..<20).map { StoreTests.record($0).id })
        #expect(retention.health.pruned == 16)
        #expect(retention.health.lastPruneAt != nil)
        #expect(retention.health.retainSeconds == 5 * Self.hour)
        // Nothing more is due.
        #expect(await retention.pruneNow(now: StoreTests.t0.addingTimeInterval(21 * Self.hour)) == 0)
        try await store.close()
    }

    @Test(arguments: StoreTests.Kind.allCases)
    func maxRecordsKeepsTheNewest(kind: StoreTests.Kind) async throws {
        let store = try StoreTests.makeStore(kind)
        try await Self.fill(store)
        let retention = Retention(store: store, retainSeconds: nil, maxRecords: 7, batchSize: 4, logger: Logger(label: "test"))
        #expect(await retention.pruneNow() == 13)
        #expect(try await store.count() == 7)
        #expect(try await Self.ids(store) == (13..<20).map { StoreTests.record($0).id })
        let stats = try await store.stats(filter: RequestFilter())
        #expect(stats.totalRequests == 7)
        try await store.close()
    }

    @Test(arguments: StoreTests.Kind.allCases)
    func bothRulesTogether(kind: StoreTests.Kind) async throws {
        let store = try StoreTests.makeStore(kind)
        try await Self.fill(store)
        // Age alone leaves 10 (10 h..19 h); the cap then leaves 4.
        let retention = Retention(store: store, retainSeconds: 10 * Self.hour, maxRecords: 4, batchSize: 100, logger: Logger(label: "test"))
        #expect(await retention.pruneNow(now: StoreTests.t0.addingTimeInterval(20 * Self.hour)) == 16)
        #expect(try await Self.ids(store) == (16..<20).map { StoreTests.record($0).id })
        try await store.close()
    }

    @Test func disabledRetentionDeletesNothing() async throws {
        let store = MemoryStore(limit: 100)
        try await Self.fill(store)
        let retention = Retention(store: store, retainSeconds: nil, maxRecords: nil, logger: Logger(label: "test"))
        #expect(!retention.isEnabled)
        #expect(await retention.pruneNow() == 0)
        #expect(try await store.count() == 20)
    }

    @Test func periodsParse() {
        #expect(Retention.parsePeriod("12h") == Double(12 * 3600))
        #expect(Retention.parsePeriod("30d") == Double(30 * 86400))
        #expect(Retention.parsePeriod("4w") == Double(28 * 86400))
        #expect(Retention.parsePeriod("90m") == 5400)
        #expect(Retention.parsePeriod("45s") == 45)
        #expect(Retention.parsePeriod("1.5d") == 1.5 * 86400)
        #expect(Retention.parsePeriod(" 7D ") == Double(7 * 86400))
        for bad in ["30", "d", "", "-1d", "0d", "30x", "thirty days", "infd", "nand"] {
            #expect(Retention.parsePeriod(bad) == nil, "\(bad)")
        }
    }

    @Test func retentionSettingsFollowThePrecedence() throws {
        let dir = try ConfigResolverTests.tempDir()
        let env = ["LLMTRACE_RETAIN": "4w", "LLMTRACE_MAX_RECORDS": "500", "LLMTRACE_PRUNE_INTERVAL": "5"]
        var (c, _) = try ConfigResolver(flags: [:], environment: env, workingDirectory: dir, configPath: nil).resolve()
        #expect(c.retainSeconds == Double(28 * 86400))
        #expect(c.maxRecords == 500)
        #expect(c.pruneIntervalSeconds == 5)

        try #"{"retain": "30d", "max-records": 1000}"#.write(to: dir.appendingPathComponent(".llmtracerc.json"), atomically: true, encoding: .utf8)
        (c, _) = try ConfigResolver(flags: [:], environment: env, workingDirectory: dir, configPath: nil).resolve()
        #expect(c.retainSeconds == Double(30 * 86400))
        #expect(c.maxRecords == 1000)

        (c, _) = try ConfigResolver(flags: [.retain: "12h", .maxRecords: "5"], environment: env, workingDirectory: dir, configPath: nil).resolve()
        #expect(c.retainSeconds == Double(12 * 3600))
        #expect(c.maxRecords == 5)

        let defaults = try ConfigResolver(flags: [:], environment: [:], workingDirectory: try ConfigResolverTests.tempDir(), configPath: nil)
            .resolve().0
        #expect(defaults.retainSeconds == nil && defaults.maxRecords == nil && defaults.pruneIntervalSeconds == 60)
    }

    @Test func badRetentionValuesAreRefusedWithTheirSource() throws {
        let dir = try ConfigResolverTests.tempDir()
        func error(_ flags: [ConfigResolver.Key: String], _ env: [String: String] = [:]) -> String? {
            do {
                _ = try ConfigResolver(flags: flags, environment: env, workingDirectory: dir, configPath: nil).resolve()
                return nil
            } catch {
                return error.message
            }
        }
        #expect(error([.retain: "30"])?.contains("--retain: '30' is not a retention period") == true)
        #expect(error([.retain: "30"])?.contains("12h, 30d or 4w") == true)
        #expect(error([:], ["LLMTRACE_RETAIN": "forever"])?.hasPrefix("LLMTRACE_RETAIN:") == true)
        #expect(error([.maxRecords: "0"])?.contains("--max-records: max records '0' must be a positive whole number") == true)
        #expect(error([.maxRecords: "lots"]) != nil)
        #expect(error([:], ["LLMTRACE_MAX_RECORDS": "-3"])?.hasPrefix("LLMTRACE_MAX_RECORDS:") == true)
        #expect(error([.pruneInterval: "0"]) != nil)
    }
}
