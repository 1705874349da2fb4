import Foundation
import GRDB
import Logging
import Synchronization
import Testing

@testable import LLMTraceModel
@testable import Server

/// A store whose saves fail while `failing` is set, to follow capture through an outage and back.
final class FlakyStore: TraceStore {
    let base = MemoryStore(limit: 100)
    let failing = Mutex(true)
    var description: String { "flaky" }
    func save(_ records: [TraceRecord]) async throws {
        if failing.withLock({ $0 }) { throw StoreError("disk full: cannot write flaky.db; free space", kind: .diskFull) }
        try await base.save(records)
    }
    func record(id: String) async throws -> TraceRecord? { try await base.record(id: id) }
    func list(filter: RequestFilter, page: PageRequest) async throws -> Page { try await base.list(filter: filter, page: page) }
    func forEachSample(filter: RequestFilter, _ body: (StatsSample) -> Void) async throws { try await base.forEachSample(filter: filter, body) }
    func clear() async throws { try await base.clear() }
    func clear(environments: Set<String>) async throws -> Int { try await base.clear(environments: environments) }
    func count() async throws -> Int { try await base.count() }
    func prune(olderThan: Date?, keepNewest: Int?, limit: Int) async throws -> Int {
        try await base.prune(olderThan: olderThan, keepNewest: keepNewest, limit: limit)
    }
    func close() async throws {}
}

/// Stores that cannot write: what the error says, and what capture and `/api/health` make of it.
@Suite struct StoreFaultTests {
    let logger = Logger(label: "test")

    static func tempPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("llmtrace-\(UUID().uuidString).db").path
    }

    /// The tests run as root, for whom file permissions do not stop writes, so the database is opened the
    /// way SQLite opens one it cannot write (a read-only file system, a file it may only read): read-only.
    @Test func aReadOnlyDatabaseDegradesCaptureAndHealthSaysWhy() async throws {
        let path = Self.tempPath()
        let writable = try SQLiteStore(path: path)
        try await writable.save([StoreTests.record(1)])
        try await writable.close()

        let store = try SQLiteStore(path: path, readOnly: true)
        let error = await #expect(throws: StoreError.self) { try await store.save([StoreTests.record(2)]) }
        #expect(error?.kind == .readOnly)
        #expect(error?.message.contains("read-only") == true)
        #expect(error?.message.contains(path) == true)
        // Reading still works.
        #expect(try await store.count() == 1)
        #expect(try await store.record(id: StoreTests.record(1).id) == StoreTests.record(1))

        let pipeline = CapturePipeline(store: store, logger: logger)
        for i in 2..<5 { pipeline.submit(StoreTests.record(i)) }
        await pipeline.flush()
        let capture = pipeline.health
        #expect(capture.storeFailing)
        #expect(capture.storeFailures == 3)
        #expect(capture.lastStoreErrorKind == "read_only")
        // Capture keeps accepting (and never blocks) while the store fails.
        pipeline.submit(StoreTests.record(9))
        #expect(pipeline.health.pending == 1)

        let (status, reason) = APIController.Health.status(capture: capture, readError: nil, now: Date())
        #expect(status == "degraded")
        #expect(reason?.contains("not being saved") == true)
        #expect(reason?.contains("read-only") == true)
        try await store.close()
    }

    @Test func aPassingFailureKeepsRecordsUntilTheStoreRecoversAndLosesNothing() async throws {
        let store = FlakyStore()
        let pipeline = CapturePipeline(store: store, logger: logger)
        let now = Date()
        #expect(APIController.Health.status(capture: pipeline.health, readError: nil, now: now).status == "ok")

        pipeline.submit(StoreTests.record(1))
        #expect(await pipeline.flush() == false)
        var capture = pipeline.health
        #expect(capture.storeFailing)
        #expect(capture.lastStoreErrorKind == "disk_full")
        #expect(capture.lastSavedAt == nil)
        // The record waits to be saved again; nothing is counted as lost.
        #expect(capture.pending == 1)
        #expect(capture.storeFailures == 0)
        #expect(capture.storeRetries == 1)
        #expect(capture.lastLossAt == nil)
        // Still failing long after the error: the status stays degraded until a save succeeds, and says
        // that the records wait.
        let later = Date().addingTimeInterval(3600)
        let failing = APIController.Health.status(capture: capture, readError: nil, now: later)
        #expect(failing.status == "degraded")
        #expect(failing.reason?.contains("1 record(s) wait in memory") == true)
        // A newer version of the waiting record replaces it; another record joins.
        var newer = StoreTests.record(1)
        newer.summary.model = "newer"
        pipeline.submit(newer)
        #expect(await pipeline.flush() == false)
        #expect(pipeline.pendingRecord(id: newer.id)?.summary.model == "newer")

        store.failing.withLock { $0 = false }
        pipeline.submit(StoreTests.record(2))
        #expect(await pipeline.flush())
        capture = pipeline.health
        #expect(!capture.storeFailing)
        #expect(capture.lastSavedAt != nil)
        #expect(capture.saved == 2)
        #expect(capture.storeFailures == 0)
        #expect(try await store.count() == 2)
        #expect(try await store.record(id: newer.id)?.summary.model == "newer")
        // Recovered with nothing lost: ok at once. A store that cannot be read is degraded.
        #expect(APIController.Health.status(capture: capture, readError: nil, now: Date()).status == "ok")
        #expect(APIController.Health.status(capture: capture, readError: "locked", now: Date()).status == "degraded")
    }

    @Test func aFailureThatDoesNotPassDropsTheBatchAndIsReportedForAMinute() async throws {
        let pipeline = CapturePipeline(store: FailingStore(), logger: logger)
        pipeline.submit(StoreTests.record(1))
        #expect(await pipeline.flush())
        let capture = pipeline.health
        #expect(capture.storeFailures == 1)
        #expect(capture.pending == 0)
        #expect(capture.lastLossAt != nil)
        let recent = APIController.Health.status(capture: capture, readError: nil, now: Date())
        #expect(recent.status == "degraded")
        #expect(recent.reason?.contains("not being saved") == true)
        var recovered = capture
        recovered.storeFailing = false
        #expect(APIController.Health.status(capture: recovered, readError: nil, now: Date()).reason?.contains("in the last minute") == true)
        #expect(APIController.Health.status(capture: recovered, readError: nil, now: Date().addingTimeInterval(61)).status == "ok")
    }

    @Test func sqliteFailuresNameTheCauseAndTheFix() {
        func describe(_ code: ResultCode, _ errno: Int32) -> StoreError {
            StoreError.describe(DatabaseError(resultCode: code, message: "sqlite says no"), systemErrno: errno, path: "/data/trace.db")
        }
        let cases: [(ResultCode, Int32, StoreError.Kind, String)] = [
            (.SQLITE_FULL, 0, .diskFull, "free space"),
            (.SQLITE_IOERR_WRITE, ENOSPC, .diskFull, "free space"),
            (.SQLITE_IOERR_WRITE, EFBIG, .fileTooLarge, "ulimit -f"),
            (.SQLITE_FULL, EFBIG, .fileTooLarge, "ulimit -f"),
            (.SQLITE_IOERR_WRITE, EROFS, .readOnly, "read-only"),
            (.SQLITE_READONLY, 0, .readOnly, "read-only"),
            (.SQLITE_BUSY, 0, .busy, "another process"),
            (.SQLITE_CORRUPT, 0, .corrupt, "move it aside"),
            (.SQLITE_IOERR_FSYNC, EIO, .io, "I/O error"),
        ]
        for (code, errno, kind, text) in cases {
            let error = describe(code, errno)
            #expect(error.kind == kind, "\(code) errno \(errno): \(error.message)")
            #expect(error.message.contains(text), "\(code) errno \(errno): \(error.message)")
            #expect(error.message.contains("/data/trace.db"))
            #expect(error.message.contains("sqlite says no"))
        }
        // A StoreError passes through; anything else keeps its own description.
        #expect(StoreError.describe(StoreError("as is", kind: .busy), systemErrno: 0, path: "x").kind == .busy)
        #expect(StoreError.describe(CancellationError(), systemErrno: 0, path: "x").kind == .other)
    }
}
