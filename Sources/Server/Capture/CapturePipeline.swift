import Foundation
import LLMTraceModel
import Logging
import ServiceLifecycle
import Synchronization

/// Carries captured records from the forwarding path to the store, off that path.
///
/// `begin`, `end` and `submit` never wait: they put the record in a bounded pending set and wake the
/// writer, which saves everything pending in one batch. Under load, batches grow by themselves.
///
/// When the store fails in a way that passes (a database server down or unreachable, a lock held, a
/// full disk), the batch goes back into the pending set and the writer tries again with a growing pause
/// (up to ``maxRetryDelay``), so an outage loses nothing that fits in the pending set; saves replace by id,
/// so a batch written twice is stored once. Other failures (a read-only or damaged database, a file over
/// its size limit) drop the batch. Records the pending set cannot hold are counted as lost and logged;
/// forwarding never notices.
/// The pending set is bounded in bytes too: when the bodies waiting to be written pass the budget (the store
/// is slower than the traffic, say megabyte prompts at full speed), further records are kept without their
/// bodies (sizes kept, marked truncated) rather than letting memory grow.
public final class CapturePipeline: Service, Sendable {
    /// Counters reported by `/api/health`.
    public struct Health: Codable, Sendable, Equatable {
        /// Records saved to the store.
        public var saved: Int
        /// Records lost because the pending set was full.
        public var dropped: Int
        /// Records lost because the store failed to save them (a failure that does not pass by itself).
        public var storeFailures: Int
        /// Failed saves of records that were kept to be tried again (the store was unreachable or busy).
        public var storeRetries: Int
        /// Why the store last failed, with what to do about it.
        public var lastStoreError: String?
        public var lastStoreErrorAt: Date?
        /// The kind of the last store failure (`disk_full`, `file_too_large`, `read_only`, `busy`, `corrupt`,
        /// `io_error`, `other`), for scripts.
        public var lastStoreErrorKind: String?
        /// Whether the latest save failed: records are waiting or being lost now, not just at some point in the past.
        public var storeFailing: Bool
        /// When records were last lost (to a failing store or a full pending set).
        public var lastLossAt: Date?
        /// When a batch was last saved.
        public var lastSavedAt: Date?
        /// Records saved without their bodies because the bodies waiting to be written passed the budget.
        public var bodiesShed: Int
        /// Records waiting to be saved.
        public var pending: Int
        /// Body bytes waiting to be saved.
        public var pendingBytes: Int
        /// Exchanges in flight.
        public var inFlight: Int
    }

    private struct State {
        var pending: [String: TraceRecord] = [:]
        var pendingBytes = 0
        var bodiesShed = 0
        var inFlight = 0
        var saved = 0
        var dropped = 0
        var storeFailures = 0
        var storeRetries = 0
        var lastStoreError: String?
        var lastStoreErrorAt: Date?
        var lastStoreErrorKind: String?
        var lastLossAt: Date?
        var storeFailing = false
        var lastSavedAt: Date?
        var lastErrorLogged: (at: Date, message: String)?
        var outageLogged = false
        var dropLog = Tally()
        var shedLog = Tally()
    }

    public let store: any TraceStore
    /// Where started and completed exchanges are announced live.
    public let events: EventHub?
    /// Told about every finished exchange (metrics, trace export).
    public let observers: [any ExchangeObserver]
    /// Puts the exchanges in sessions.
    public let sessions: SessionTracker
    private let logger: Logger
    private let maxPending: Int
    private let maxPendingBytes: Int
    private let state = Mutex(State())
    private let wake: AsyncStream<Void>.Continuation
    private let wakeups: AsyncStream<Void>

    /// How long the writer lets records gather after a wake-up before it saves them: the started, in-flight
    /// and completed versions of a short exchange then cost one write, and exchanges share transactions.
    private let batchWindow: Duration

    public init(
        store: any TraceStore,
        events: EventHub? = nil,
        observers: [any ExchangeObserver] = [],
        sessions: SessionTracker = SessionTracker(),
        logger: Logger,
        maxPending: Int = 50_000,
        maxPendingBytes: Int = 16 << 20,
        batchWindow: Duration = .milliseconds(20)
    ) {
        self.maxPendingBytes = maxPendingBytes
        self.batchWindow = batchWindow
        self.store = store
        self.events = events
        self.observers = observers
        self.sessions = sessions
        self.logger = logger
        self.maxPending = maxPending
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func begin(_ session: CaptureSession) {
        state.withLock { $0.inFlight += 1 }
        let record = session.startedRecord
        submit(record)
        events?.requestStarted(record.summary)
    }

    func end(_ record: TraceRecord, timing: ExchangeTiming = ExchangeTiming()) {
        state.withLock { $0.inFlight -= 1 }
        submit(record)
        events?.requestCompleted(record.summary)
        sessions.finished(record)
        for o in observers { o.exchangeFinished(record, timing: timing) }
    }

    /// Records an exchange that was answered at once (a rejected route): started and completed together.
    func recordAnswered(_ record: TraceRecord) {
        submit(record)
        var started = record.summary
        started.complete = false
        events?.requestStarted(started)
        events?.requestCompleted(record.summary)
        for o in observers { o.exchangeFinished(record, timing: ExchangeTiming()) }
    }

    /// A newer in-flight version of an exchange: saved, and announced as `request.updated`.
    func update(_ record: TraceRecord) {
        submit(record)
        events?.requestUpdated(record.summary)
    }

    /// New visible text of the exchange `id`, for live subscribers.
    func delta(id: String, text: String) {
        events?.requestDelta(id: id, text: text)
    }

    /// Queues a record (a newer version of a pending record replaces it). Never waits.
    public func submit(_ record: TraceRecord) {
        let bytes = record.bodyBytes
        let outcome = state.withLock { s -> (accepted: Bool, dropsToLog: Int?, shedToLog: Int?) in
            let previous = s.pending[record.id]
            guard previous != nil || s.pending.count < maxPending else {
                s.dropped += 1
                s.lastLossAt = Date()
                return (false, s.dropLog.count(), nil)
            }
            // A newer version replaces the pending one, bytes included.
            s.pendingBytes -= previous?.bodyBytes ?? 0
            let shed = bytes > maxPendingBytes - s.pendingBytes
            let kept = shed ? record.withoutBodies : record
            s.pendingBytes += kept.bodyBytes
            s.pending[record.id] = kept
            guard shed else { return (true, nil, nil) }
            s.bodiesShed += 1
            return (true, nil, s.shedLog.count())
        }
        if outcome.accepted { wake.yield() }
        if let n = outcome.dropsToLog {
            logger.warning(
                "capture queue full: \(n) record(s) not stored; the store is slower than the traffic",
                metadata: ["pending": "\(maxPending)"]
            )
        }
        if let n = outcome.shedToLog {
            logger.warning(
                "capture buffer full: \(n) record(s) stored without their bodies; the store is slower than the traffic",
                metadata: ["pendingBytes": "\(maxPendingBytes)"]
            )
        }
    }

    /// A record not yet saved, if it is pending.
    public func pendingRecord(id: String) -> TraceRecord? {
        state.withLock { $0.pending[id] }
    }

    /// The summaries of the pending records that match `filter` and come after `cursor` (ids below it),
    /// newest first: what a page read from the store does not have yet.
    public func pendingSummaries(matching filter: RequestFilter, before cursor: String?) -> [TraceSummary] {
        let summaries = state.withLock { s in s.pending.values.map(\.summary) }
        return summaries.filter { s in (cursor.map { s.id < $0 } ?? true) && filter.matches(s) }.sorted { $0.id > $1.id }
    }

    public var health: Health {
        state.withLock {
            Health(
                saved: $0.saved,
                dropped: $0.dropped,
                storeFailures: $0.storeFailures,
                storeRetries: $0.storeRetries,
                lastStoreError: $0.lastStoreError,
                lastStoreErrorAt: $0.lastStoreErrorAt,
                lastStoreErrorKind: $0.lastStoreErrorKind,
                storeFailing: $0.storeFailing,
                lastLossAt: $0.lastLossAt,
                lastSavedAt: $0.lastSavedAt,
                bodiesShed: $0.bodiesShed,
                pending: $0.pending.count,
                pendingBytes: $0.pendingBytes,
                inFlight: $0.inFlight
            )
        }
    }

    /// Forgets pending records (the store is being cleared).
    public func discardPending() {
        state.withLock {
            $0.pending.removeAll()
            $0.pendingBytes = 0
        }
    }

    /// The longest pause between tries while the store fails in a way that passes.
    static let maxRetryDelay: Duration = .seconds(2)

    /// Saves everything pending now. Returns `false` when the store failed and the batch waits to be
    /// tried again.
    @discardableResult
    public func flush() async -> Bool {
        while true {
            let (saved, more) = await saveBatch()
            guard saved else { return false }
            guard more else { return true }
        }
    }

    /// The most records one save writes: a store that fell behind catches up in transactions of a
    /// bounded size (and time), rather than one that grows with the backlog.
    static let maxBatch = 2000

    /// Saves up to ``maxBatch`` pending records, oldest ids first. Returns whether the save succeeded (or
    /// failed in a way that drops the batch), and whether records are still pending.
    private func saveBatch() async -> (saved: Bool, more: Bool) {
        let (batch, more) = state.withLock { s -> ([TraceRecord], Bool) in
            guard s.pending.count > Self.maxBatch else {
                let b = Array(s.pending.values)
                s.pending.removeAll(keepingCapacity: true)
                s.pendingBytes = 0
                return (b, false)
            }
            let ids = s.pending.keys.sorted().prefix(Self.maxBatch)
            var b: [TraceRecord] = []
            b.reserveCapacity(ids.count)
            for id in ids {
                if let r = s.pending.removeValue(forKey: id) {
                    s.pendingBytes -= r.bodyBytes
                    b.append(r)
                }
            }
            return (b, true)
        }
        guard !batch.isEmpty else { return (true, false) }
        let saved = await save(batch)
        return (saved, more)
    }

    /// Saves `batch`; on failure keeps it to be saved again, or counts it lost. Returns `false` when it
    /// waits to be saved again.
    private func save(_ batch: [TraceRecord]) async -> Bool {
        do {
            try await store.save(batch.sorted { $0.id < $1.id })
            let recovered = state.withLock { s -> Bool in
                // Announce a recovery only for an outage that was logged.
                let recovered = s.storeFailing && s.outageLogged
                if recovered { s.outageLogged = false }
                s.saved += batch.count
                s.storeFailing = false
                s.lastSavedAt = Date()
                return recovered
            }
            if recovered { logger.notice("store recovered: records are being saved again") }
            return true
        } catch {
            let message = String(describing: error)
            let kind = (error as? StoreError)?.kind ?? .other
            let retry = kind.passes
            let now = Date()
            let (log, lost) = state.withLock { s -> (Bool, Int) in
                var lost = 0
                if retry {
                    // Back into the pending set, unless a newer version came meanwhile or there is no room.
                    for record in batch where s.pending[record.id] == nil {
                        if s.pending.count < maxPending {
                            s.pending[record.id] = record
                            s.pendingBytes += record.bodyBytes
                        } else {
                            lost += 1
                        }
                    }
                    s.storeRetries += batch.count - lost
                    s.dropped += lost
                } else {
                    s.storeFailures += batch.count
                    lost = batch.count
                }
                s.lastStoreError = message
                s.lastStoreErrorAt = now
                s.lastStoreErrorKind = kind.rawValue
                s.storeFailing = true
                if lost > 0 { s.lastLossAt = now }
                // A full disk can fail every batch, or every other one (small records still fit): log at
                // error level once a minute or when the cause changes, the rest at debug level.
                let log = s.lastErrorLogged.map { now.timeIntervalSince($0.at) >= 60 || $0.message != message } ?? true
                if log {
                    s.lastErrorLogged = (now, message)
                    s.outageLogged = true
                }
                return (log, lost)
            }
            let what =
                retry
                ? "\(batch.count - lost) record(s) wait to be saved again\(lost > 0 ? ", \(lost) lost (the pending set is full)" : "")"
                : "\(batch.count) record(s) not saved"
            if log {
                logger.error("store failed; \(what) (see /api/health): \(message)")
            } else {
                logger.debug("store failed; \(what): \(message)")
            }
            return !retry
        }
    }

    /// Writes until graceful shutdown, then saves what is left.
    public func run() async throws {
        await withGracefulShutdownHandler {
            for await _ in wakeups {
                try? await Task.sleep(for: batchWindow)
                var delay = Duration.milliseconds(100)
                // While the store fails in a way that passes, try again with a growing pause (until shutdown).
                while await !flush(), !Task.isShuttingDownGracefully, !Task.isCancelled {
                    try? await Task.sleep(for: delay)
                    delay = min(delay * 2, Self.maxRetryDelay)
                }
            }
        } onGracefulShutdown: {
            self.wake.finish()
        }
        if await !flush() {
            let waiting = health.pending
            logger.error("shutting down while the store fails: \(waiting) captured record(s) could not be saved")
        }
    }
}

/// Counts repeated events and says when to log them: at the first, then at most once per interval with the
/// number since the last log (a flood of warnings would only add to the load that caused it).
struct Tally {
    private var last: ContinuousClock.Instant?
    private var since = 0

    /// The number to log now, or `nil` to stay quiet.
    mutating func count(now: ContinuousClock.Instant = .now, interval: Duration = .seconds(5)) -> Int? {
        since += 1
        if let last, now - last < interval { return nil }
        last = now
        defer { since = 0 }
        return since
    }
}

extension TraceRecord {
    /// Bytes of body content the record holds.
    var bodyBytes: Int { (requestBody?.content.utf8.count ?? 0) + (responseBody?.content.utf8.count ?? 0) }

    /// The record with its bodies' content left out (sizes kept, marked truncated).
    var withoutBodies: TraceRecord {
        var r = self
        r.requestBody = requestBody.map { CapturedBody(content: "", encoding: .utf8, size: $0.size, truncated: true, decodedFrom: $0.decodedFrom) }
        r.responseBody = responseBody.map { CapturedBody(content: "", encoding: .utf8, size: $0.size, truncated: true, decodedFrom: $0.decodedFrom) }
        return r
    }
}
