import CompressNIO
import Foundation
import Hummingbird
import Logging
import Testing

@testable import LLMTraceModel
@testable import Server

/// A store that fails every write, to show that capture degrades without blocking.
final class FailingStore: TraceStore {
    var description: String { "failing" }
    func save(_ records: [TraceRecord]) async throws { throw StoreError("disk full") }
    func record(id: String) async throws -> TraceRecord? { nil }
    func list(filter: RequestFilter, page: PageRequest) async throws -> Page { Page(items: [], nextCursor: nil) }
    func forEachSample(filter: RequestFilter, _ body: (StatsSample) -> Void) async throws {}
    func prune(olderThan: Date?, keepNewest: Int?, limit: Int) async throws -> Int { throw StoreError("disk full") }
    func clear() async throws {}
    func clear(environments: Set<String>) async throws -> Int { 0 }
    func count() async throws -> Int { 0 }
    func close() async throws {}
}

@Suite struct CapturePipelineTests {
    let logger = Logger(label: "test")

    @Test func savesWhatIsSubmittedAndCoalescesVersions() async throws {
        let store = MemoryStore(limit: 100)
        let pipeline = CapturePipeline(store: store, logger: logger)
        var r = StoreTests.record(1)
        r.summary.complete = false
        pipeline.submit(r)
        r.summary.complete = true
        pipeline.submit(r)
        #expect(pipeline.pendingRecord(id: r.id)?.summary.complete == true)
        await pipeline.flush()
        #expect(try await store.record(id: r.id)?.summary.complete == true)
        #expect(pipeline.health.saved == 1)
        #expect(pipeline.health.pending == 0)
    }

    @Test func aFailingStoreCountsTheLossAndKeepsAccepting() async throws {
        let pipeline = CapturePipeline(store: FailingStore(), logger: logger)
        for i in 0..<3 { pipeline.submit(StoreTests.record(i)) }
        await pipeline.flush()
        let h = pipeline.health
        #expect(h.storeFailures == 3)
        #expect(h.lastStoreError == "disk full")
        pipeline.submit(StoreTests.record(9))
        #expect(pipeline.health.pending == 1)
    }

    @Test func aFullQueueDropsAndCounts() {
        let pipeline = CapturePipeline(store: MemoryStore(limit: 10), logger: logger, maxPending: 2)
        for i in 0..<5 { pipeline.submit(StoreTests.record(i)) }
        #expect(pipeline.health.pending == 2)
        #expect(pipeline.health.dropped == 3)
        // A newer version of a pending record is still accepted.
        pipeline.submit(StoreTests.record(0))
        #expect(pipeline.health.dropped == 3)
    }

    @Test func bodiesPastTheByteBudgetAreShedButTheRecordIsKept() async throws {
        let store = MemoryStore(limit: 10)
        let pipeline = CapturePipeline(store: store, logger: logger, maxPendingBytes: 1_000)
        func record(_ i: Int, bodyBytes: Int) -> TraceRecord {
            var r = StoreTests.record(i)
            r.requestBody = CapturedBody(bytes: Array(repeating: UInt8(ascii: "a"), count: bodyBytes), size: bodyBytes, truncated: false)
            r.responseBody = nil
            return r
        }
        pipeline.submit(record(0, bodyBytes: 600))
        pipeline.submit(record(1, bodyBytes: 600))  // past the budget: kept without its body
        // A newer version of a pending record replaces its bytes rather than adding to them.
        pipeline.submit(record(0, bodyBytes: 700))
        var h = pipeline.health
        #expect(h.pending == 2)
        #expect(h.pendingBytes == 700)
        #expect(h.bodiesShed == 1)
        #expect(h.dropped == 0)

        await pipeline.flush()
        h = pipeline.health
        #expect(h.pendingBytes == 0)
        let kept = try #require(try await store.record(id: record(0, bodyBytes: 0).id))
        #expect(kept.requestBody?.content.utf8.count == 700)
        let shed = try #require(try await store.record(id: record(1, bodyBytes: 0).id))
        #expect(shed.requestBody?.content == "")
        #expect(shed.requestBody?.size == 600)
        #expect(shed.requestBody?.truncated == true)
        #expect(shed.summary == record(1, bodyBytes: 0).summary)

        // With the budget free again, bodies are kept.
        pipeline.submit(record(2, bodyBytes: 600))
        #expect(pipeline.health.bodiesShed == 1)
    }

    @Test func gzipAndDeflateAreDecodedForStorage() throws {
        let text = Array(String(repeating: "hello llmtrace ", count: 100).utf8)
        let (none, _) = CaptureSession.decode(text, coding: nil, limit: 1 << 20)
        #expect(none == nil)
        let (garbage, _) = CaptureSession.decode([1, 2, 3], coding: "gzip", limit: 1 << 20)
        #expect(garbage == nil)
        for (algorithm, coding) in [(CompressionAlgorithm.gzip(), "gzip"), (.zlib(), "deflate"), (.deflate(), "deflate")] {
            var buffer = ByteBuffer(bytes: text)
            let compressed = try buffer.compress(with: algorithm)
            let (decoded, from) = CaptureSession.decode(Array(compressed.readableBytesView), coding: coding, limit: 1 << 20)
            #expect(decoded == text)
            #expect(from == coding)
        }
    }

    @Test func passwordComparison() {
        #expect(PasswordMiddleware<BasicRequestContext>.constantTimeEqual("secret", "secret"))
        #expect(!PasswordMiddleware<BasicRequestContext>.constantTimeEqual("secret", "secreT"))
        #expect(!PasswordMiddleware<BasicRequestContext>.constantTimeEqual("secret", "secret2"))
        let m = PasswordMiddleware<BasicRequestContext>(password: "pw")
        #expect(m.accepts("Bearer pw"))
        #expect(m.accepts("Basic " + Data("anyone:pw".utf8).base64EncodedString()))
        #expect(!m.accepts("Basic " + Data("anyone:nope".utf8).base64EncodedString()))
        #expect(!m.accepts("Bearer"))
        #expect(!m.accepts("Digest pw"))
    }
}
