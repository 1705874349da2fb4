import Foundation
import LLMTraceModel
import Logging
import ServiceLifecycle
import Synchronization

/// Prunes old records in the background (`--retain`, `--max-records`): once at start, then every
/// `interval`, in deletes of at most `batchSize` records so the capture pipeline's writes are never
/// held up for long.
public final class Retention: Service, Sendable {
    /// What `/api/health` reports.
    public struct Health: Codable, Sendable, Equatable {
        /// `--retain` in seconds, `nil` when records are kept regardless of age.
        public var retainSeconds: Double?
        /// `--max-records`, `nil` when there is no cap.
        public var maxRecords: Int?
        /// Records deleted by retention since the server started.
        public var pruned: Int
        /// When the last pruning pass finished.
        public var lastPruneAt: Date?
        /// The last pruning failure, if the last pass failed.
        public var lastError: String?

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(retainSeconds, forKey: .retainSeconds)
            try c.encode(maxRecords, forKey: .maxRecords)
            try c.encode(pruned, forKey: .pruned)
            try c.encode(lastPruneAt, forKey: .lastPruneAt)
            try c.encode(lastError, forKey: .lastError)
        }
    }

    let store: any TraceStore
    let retainSeconds: Double?
    let maxRecords: Int?
    let interval: Duration
    let batchSize: Int
    let logger: Logger
    private let state: Mutex<Health>

    public init(
        store: any TraceStore,
        retainSeconds: Double?,
        maxRecords: Int?,
        interval: Duration = .seconds(60),
        batchSize: Int = 1000,
        logger: Logger
    ) {
        self.store = store
        self.retainSeconds = retainSeconds
        self.maxRecords = maxRecords
        self.interval = interval
        self.batchSize = max(1, batchSize)
        self.logger = logger
        state = Mutex(Health(retainSeconds: retainSeconds, maxRecords: maxRecords, pruned: 0))
    }

    /// Whether there is anything to prune for.
    public var isEnabled: Bool { retainSeconds != nil || maxRecords != nil }

    public var health: Health { state.withLock { $0 } }

    public func run() async throws {
        guard isEnabled else {
            // Nothing to do, but a service that returns early stops the whole group: wait for shutdown.
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.pruneNow()
                try? await Task.sleep(for: self.interval)
            }
        }
    }

    /// One pruning pass: deletes in batches until nothing more is due. Returns how many were deleted.
    ///
    /// On a store several nodes share, one node prunes at a time: a node that finds another pruning
    /// skips this pass (the other deletes what is due for everyone).
    @discardableResult
    public func pruneNow(now: Date = Date()) async -> Int {
        guard isEnabled else { return 0 }
        do {
            let deleted: Int
            if let shared = store as? any SharedStore {
                guard let n = try await shared.exclusively("retention", { try await self.pruneBatches(now: now) }) else {
                    logger.debug("retention: another node is pruning; skipped")
                    return 0
                }
                deleted = n
            } else {
                deleted = try await pruneBatches(now: now)
            }
            state.withLock {
                $0.lastPruneAt = Date()
                $0.lastError = nil
            }
            if deleted > 0 { logger.info("retention: deleted \(deleted) old records") }
            return deleted
        } catch {
            state.withLock { $0.lastError = String(describing: error) }
            logger.error("retention: pruning failed: \(error)")
            return 0
        }
    }

    private func pruneBatches(now: Date) async throws -> Int {
        let cutoff = retainSeconds.map { now.addingTimeInterval(-$0) }
        var deleted = 0
        while !Task.isCancelled {
            let n = try await store.prune(olderThan: cutoff, keepNewest: maxRecords, limit: batchSize)
            deleted += n
            state.withLock { $0.pruned += n }
            if n < batchSize { break }
            // Let the capture pipeline's writes in between batches.
            try? await Task.sleep(for: .milliseconds(5))
        }
        return deleted
    }

    /// Parses a retention period such as `12h`, `30d` or `4w` (also `s` and `m`) into seconds.
    public static func parsePeriod(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = t.last, let n = Double(t.dropLast()), n > 0, n.isFinite else { return nil }
        let seconds: Double
        switch unit {
        case "s": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3600
        case "d": seconds = 86400
        case "w": seconds = 7 * 86400
        default: return nil
        }
        return n * seconds
    }
}
