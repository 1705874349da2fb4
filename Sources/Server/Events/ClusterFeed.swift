import Foundation
import LLMTraceModel
import Logging
import ServiceLifecycle
import Synchronization

/// Brings records other nodes save into this node's live events, so a client attached to any node of a
/// cluster sees every node's traffic: an exchange proxied by node A appears in node B's `/api/events` as
/// `request.started`/`request.updated` while A has it in flight (as often as A saves it) and
/// `request.completed` when done. Stream deltas are not shared; each node streams its own.
///
/// Follows the store (``SharedStore/followOtherNodes(since:_:)``) and, when the connection fails, follows
/// again after a pause, from the last record it saw.
public final class ClusterFeed: Service, Sendable {
    /// What `/api/health` reports.
    public struct Health: Codable, Sendable, Equatable {
        /// Whether the feed is connected now.
        public var following: Bool
        /// Records of other nodes announced.
        public var received: Int
        /// Why following last failed, while it is failing.
        public var lastError: String?
    }

    private struct State {
        var health = Health(following: false, received: 0)
        /// Where following starts: at first the moment the feed was made, so that what other nodes save
        /// while its connection is being set up is read once it listens; then the last record it saw.
        var lastSavedAt: Double
        /// The `savedAt` of each record announced lately, so a record delivered twice is announced once.
        var seen: [String: Double] = [:]
    }

    let store: any SharedStore
    let events: EventHub
    let logger: Logger
    private let state: Mutex<State>

    public init(store: any SharedStore, events: EventHub, logger: Logger) {
        state = Mutex(State(lastSavedAt: Date().timeIntervalSince1970))
        self.store = store
        self.events = events
        self.logger = logger
    }

    public var health: Health { state.withLock { $0.health } }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var delay = Duration.milliseconds(200)
            while !Task.isCancelled {
                do {
                    let since = self.state.withLock {
                        $0.health.following = true
                        return $0.lastSavedAt
                    }
                    try await self.store.followOtherNodes(since: since) { batch in
                        self.announce(batch)
                    }
                    delay = .milliseconds(200)
                } catch {
                    guard !Task.isCancelled else { break }
                    let message = String(describing: error)
                    let first = self.state.withLock { s -> Bool in
                        let first = s.health.lastError == nil
                        s.health.following = false
                        s.health.lastError = message
                        return first
                    }
                    if first { self.logger.warning("cluster: not following other nodes' records; trying again: \(message)") }
                    try? await Task.sleep(for: delay)
                    delay = min(delay * 2, .seconds(5))
                }
            }
        }
    }

    /// Announces each record of `batch` not announced before in this version.
    func announce(_ batch: [SavedSummary]) {
        let (fresh, recovered) = state.withLock { s -> ([TraceSummary], Bool) in
            let recovered = s.health.lastError != nil
            s.health.lastError = nil
            var fresh: [TraceSummary] = []
            for saved in batch {
                if let seen = s.seen[saved.summary.id], seen >= saved.savedAt { continue }
                s.seen[saved.summary.id] = saved.savedAt
                s.lastSavedAt = max(s.lastSavedAt, saved.savedAt)
                fresh.append(saved.summary)
            }
            // Forget what is too old to be delivered again.
            if s.seen.count > 20_000 {
                let newest = s.lastSavedAt
                s.seen = s.seen.filter { newest - $0.value < 60 }
            }
            s.health.received += fresh.count
            return (fresh, recovered)
        }
        if recovered { logger.notice("cluster: following other nodes' records again") }
        for summary in fresh { events.remoteRecordSaved(summary) }
    }
}
