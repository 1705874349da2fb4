import Foundation
import Testing

@testable import LLMTraceModel
@testable import Server

/// `clear(environments:)` (what a team admin's clear does in shared mode) on every store: the records
/// of those environments go, the others stay, and statistics (SQLite's rollups included) follow.
@Suite struct ClearEnvironmentsTests {
    static let kinds: [StoreConformanceTests.Kind?] = [nil] + conformanceKinds.map { $0 }

    @Test(arguments: kinds) func clearsOnlyTheEnvironmentsNamed(kind: StoreConformanceTests.Kind?) async throws {
        var store: any TraceStore = MemoryStore(limit: 1000)
        if let kind { store = try await StoreConformanceTests.makeStore(kind) }
        do {
            // 10 records: a has 4, b 3, c 3.
            let records = (0..<10).map { StoreTests.record($0, env: ["a", "b", "c"][$0 % 3]) }
            try await store.save(records)
            #expect(try await store.clear(environments: []) == 0)
            #expect(try await store.clear(environments: ["a", "c", "nowhere"]) == 7)
            let page = try await store.list(filter: RequestFilter(), page: PageRequest(limit: 100))
            #expect(page.items.map(\.env) == ["b", "b", "b"])
            let stats = try await store.stats(filter: RequestFilter())
            #expect(stats.totalRequests == 3)
            #expect(stats.envBreakdown.map(\.env) == ["b"])
            // Reading limited to some environments (shared mode's tenancy) agrees.
            var limited = RequestFilter()
            limited.environments = ["a"]
            #expect(try await store.list(filter: limited, page: PageRequest(limit: 100)).items.isEmpty)
            limited.environments = ["b", "c"]
            #expect(try await store.stats(filter: limited).totalRequests == 3)
            limited.environments = []
            #expect(try await store.count() == 3)
            #expect(try await store.list(filter: limited, page: PageRequest(limit: 100)).items.isEmpty)
        } catch {
            if kind != nil { try? await StoreConformanceTests.dispose(store) }
            throw error
        }
        if kind != nil { try await StoreConformanceTests.dispose(store) }
    }
}
