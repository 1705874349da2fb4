import Foundation
import LLMTraceModel
import Logging
import ServiceLifecycle
import Synchronization

/// Publishes live events to subscribers of `/api/events`.
///
/// Publishing never waits: it encodes the event once, keeps it in a ring of recent events (so a client
/// that reconnects with `Last-Event-ID` resumes with no gap) and offers it to each subscriber's bounded
/// buffer. While nobody is subscribed, events are kept unencoded and encoded only if a client resumes
/// over them: encoding is most of what publishing costs the proxy. A subscriber whose buffer is full is
/// dropped; it never slows the proxy or other subscribers.
///
/// Stream deltas are collected per request and published on a 50 ms tick, so each request yields at
/// most about 20 delta events a second. They are collected and kept in the ring whether or not anyone
/// listens, so a client that resumes rebuilds every answer in flight exactly.
public final class EventHub: Service, Sendable {
    /// What a subscriber's stream carries: events, and a keep-alive tick.
    public enum Item: Sendable {
        case event(LiveEvent)
        case ping
    }

    /// Which events a subscriber wants.
    public struct Filter: Sendable, Equatable {
        public var env: String?
        public var model: String?
        /// A filter-language expression; each event is tested on the request as it stands then, so a
        /// request that matches only once finished (say `~done`) first appears with its
        /// `request.completed` event.
        public var expression: FilterExpression?
        /// The environments the subscriber may see (shared mode); `nil` for all. Events of others are never sent.
        public var environments: Set<String>?

        /// Whether an event about no one request (`stats`, `cleared`) reaches this subscriber: the
        /// server-wide statistics carry every environment's figures, so not a subscriber limited to some.
        func receivesServerWide(_ kind: LiveEvent.Kind, audience: Set<String>? = nil) -> Bool {
            guard let environments else { return true }
            if kind == .stats { return false }
            return audience.map { !$0.isDisjoint(with: environments) } ?? true
        }

        public init(env: String? = nil, model: String? = nil, expression: FilterExpression? = nil, environments: Set<String>? = nil) {
            self.environments = environments
            self.env = env
            self.model = model
            self.expression = expression
        }
    }

    /// The requests a subscriber follows: their deltas and updates reach it.
    struct Following: Sendable, Equatable {
        /// Requests whose last started or updated event the subscriber received.
        var ids: Set<String> = []
        /// Of those, the ones whose model was known and matched the `model` filter: their completion is
        /// delivered even when the response names another model (a dated snapshot, say).
        var modelMatched: Set<String> = []

        /// Whether a subscriber with `filter` receives a request event, updating what it follows.
        mutating func admit(_ kind: LiveEvent.Kind, _ request: TraceSummary, filter: Filter) -> Bool {
            let id = request.id
            if let env = filter.env, request.env != env { return false }
            if let environments = filter.environments, !environments.contains(request.env) { return false }
            let expressionOK = filter.expression?.matches(request) ?? true
            var modelOK = true
            var modelKnownMatch = false
            if let model = filter.model {
                if let m = request.model {
                    modelOK = m == model
                    modelKnownMatch = modelOK
                } else {
                    // The model may be unknown until the response: starts and updates pass meanwhile.
                    modelOK = kind != .completed
                }
            }
            if kind == .completed {
                let ok = expressionOK && (modelOK || modelMatched.contains(id))
                ids.remove(id)
                modelMatched.remove(id)
                return ok
            }
            guard expressionOK && modelOK else {
                ids.remove(id)
                modelMatched.remove(id)
                return false
            }
            ids.insert(id)
            if modelKnownMatch { modelMatched.insert(id) }
            return true
        }
    }

    private struct Subscriber {
        var filter: Filter
        var continuation: AsyncStream<Item>.Continuation
        var following = Following()
        /// While resumed events are being encoded, newer ones wait here, to be delivered after them.
        var backlog: [Item]?
    }

    /// A recent event as the ring keeps it: encoded when someone listened as it was published, else
    /// encoded only if a client resumes over it.
    private struct RingEntry: Sendable {
        let id: UInt64
        let kind: LiveEvent.Kind
        /// The `data` JSON, when it was encoded on publishing.
        var json: String?
        /// The request a request event is about, for filtering resumes and for encoding later.
        var request: TraceSummary?
        /// The text of a delta event.
        var delta: RequestDelta?
        /// Of an event about no one request, the environments whose subscribers may see it (an alert goes
        /// to its team's); `nil` for every subscriber.
        var audience: Set<String>? = nil
    }

    private struct State {
        var nextID: UInt64
        var ring: [RingEntry] = []
        var ringStart = 0
        var subscribers: [UInt64: Subscriber] = [:]
        var nextSubscriber: UInt64 = 0
        var pendingDeltas: [String: String] = [:]
        /// The latest summary of each request in flight, for filtering their deltas and updates.
        var inFlight: [String: TraceSummary] = [:]
        var changedSinceStats = false
        var dropped = 0
        /// Streams of dropped subscribers, finished once the lock is released (finishing runs
        /// `onTermination`, which takes the lock).
        var toFinish: [AsyncStream<Item>.Continuation] = []
    }

    public let ringCapacity: Int
    public let subscriberBuffer: Int
    private let state: Mutex<State>
    private let encoder = JSONCoding.makeEncoder()
    private let statsProvider: @Sendable () async -> Stats?
    private let logger: Logger

    /// - Parameters:
    ///   - ringCapacity: recent events kept for resuming.
    ///   - subscriberBuffer: events a subscriber may fall behind before it is dropped.
    ///   - firstEventID: the first event's id; ``randomFirstEventID()`` in a server, so that event ids of
    ///     different nodes (or of this node before a restart) never mean the same thing.
    ///   - statsProvider: computes the periodic `stats` snapshot.
    public init(
        ringCapacity: Int = 10_000,
        subscriberBuffer: Int = 4_096,
        firstEventID: UInt64 = 1,
        logger: Logger,
        statsProvider: @escaping @Sendable () async -> Stats?
    ) {
        state = Mutex(State(nextID: max(1, firstEventID)))
        self.ringCapacity = max(16, ringCapacity)
        self.subscriberBuffer = max(16, subscriberBuffer)
        self.logger = logger
        self.statsProvider = statsProvider
    }

    /// A first event id for a server: a random 23-bit epoch in the high bits, the count in the low 40.
    /// A client that resumes with an id from another node, or from before a restart, gets `resync`
    /// instead of a replay that would mean something else.
    public static func randomFirstEventID() -> UInt64 {
        UInt64.random(in: 1..<(1 << 23)) << 40 + 1
    }

    // MARK: Publishing

    func requestStarted(_ summary: TraceSummary) {
        publish(.started, summary, request: summary)
    }

    /// Publishes what became known about a request in flight (provider, model, stream, status).
    func requestUpdated(_ summary: TraceSummary) {
        publish(.updated, summary, request: summary)
    }

    /// Gathers new visible text of a request in flight, published on the next tick. Gathered whether or
    /// not anyone listens: a client that resumes later replays it from the ring.
    func requestDelta(id: String, text: String) {
        guard !text.isEmpty else { return }
        state.withLock { $0.pendingDeltas[id, default: ""] += text }
    }

    /// Announces a record another node saved (``ClusterFeed``): a completed one as `request.completed`,
    /// one in flight as `request.started` the first time and `request.updated` after that.
    func remoteRecordSaved(_ summary: TraceSummary) {
        if summary.complete {
            publish(.completed, summary, request: summary)
        } else {
            let known = state.withLock { $0.inFlight[summary.id] != nil }
            publish(known ? .updated : .started, summary, request: summary)
        }
    }

    func requestCompleted(_ summary: TraceSummary) {
        flushDelta(id: summary.id)
        publish(.completed, summary, request: summary)
    }

    /// Publishes `cleared`.
    public func cleared() {
        publish(.cleared, EmptyPayload(), request: nil)
    }

    /// Publishes `resync` to the subscribers that may see one of `environments`, and to those who see
    /// everything: records of those environments went from under them (a team's clear), so they re-read
    /// `/api/requests`. (`cleared` would tell a subscriber of several teams that all its records went.)
    public func resync(environments: Set<String>) {
        publish(.resync, EmptyPayload(), request: nil, audience: environments)
    }

    /// Publishes `alert` to the subscribers that may see one of `environments` (the team's), and to
    /// those who see everything.
    public func alert(_ alert: BudgetAlert, environments: Set<String>) {
        publish(.alert, alert, request: nil, audience: environments)
    }

    /// Events lost because a subscriber fell too far behind and was dropped.
    public var droppedSubscribers: Int { state.withLock { $0.dropped } }
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    private struct EmptyPayload: Encodable {}

    /// An event's `data`, encoded once for every subscriber and the ring.
    private func encode(_ kind: LiveEvent.Kind, _ payload: some Encodable) -> String? {
        do {
            return String(decoding: try encoder.encode(payload), as: UTF8.self)
        } catch {
            logger.error("cannot encode \(kind.rawValue) event: \(error)")
            return nil
        }
    }

    private func keep(_ entry: RingEntry, in s: inout State) {
        if s.ring.count < ringCapacity {
            s.ring.append(entry)
        } else {
            s.ring[s.ringStart] = entry
            s.ringStart = (s.ringStart + 1) % ringCapacity
        }
    }

    /// The event on the wire, encoding it if the ring kept it unencoded.
    private func materialize(_ entry: RingEntry) -> LiveEvent? {
        if let json = entry.json { return LiveEvent(id: entry.id, kind: entry.kind, json: json) }
        let json: String?
        if let delta = entry.delta {
            json = encode(entry.kind, delta)
        } else if let request = entry.request {
            json = encode(entry.kind, request)
        } else {
            json = nil
        }
        return json.map { LiveEvent(id: entry.id, kind: entry.kind, json: $0) }
    }

    private func publish(_ kind: LiveEvent.Kind, _ payload: some Encodable, request: TraceSummary?, audience: Set<String>? = nil) {
        let listening = state.withLock { !$0.subscribers.isEmpty }
        var json: String?
        if listening || request == nil {
            guard let encoded = encode(kind, payload) else { return }
            json = encoded
        }
        withState { s in
            let entry = RingEntry(id: s.nextID, kind: kind, json: json, request: request, audience: audience)
            s.nextID += 1
            keep(entry, in: &s)
            if let request {
                if kind == .completed { s.inFlight[request.id] = nil } else { s.inFlight[request.id] = request }
            }
            s.changedSinceStats = true
            // Unencoded only when nobody listened a moment ago; a subscriber that came since gets it encoded now.
            guard !s.subscribers.isEmpty, let event = materialize(entry) else { return }
            for (key, var sub) in s.subscribers {
                if let request {
                    let admitted = sub.following.admit(kind, request, filter: sub.filter)
                    s.subscribers[key] = sub
                    guard admitted else { continue }
                } else if !sub.filter.receivesServerWide(kind, audience: audience) {
                    continue
                }
                deliver(.event(event), to: key, in: &s)
            }
        }
    }

    private func deliver(_ item: Item, to key: UInt64, in s: inout State) {
        guard let sub = s.subscribers[key] else { return }
        let accepted: Bool
        if let backlog = sub.backlog {
            accepted = backlog.count < subscriberBuffer
            if accepted { s.subscribers[key]?.backlog?.append(item) }
        } else if case .dropped = sub.continuation.yield(item) {
            accepted = false
        } else {
            accepted = true
        }
        if !accepted {
            s.subscribers[key] = nil
            s.dropped += 1
            s.toFinish.append(sub.continuation)
            logger.notice("dropped a live-event subscriber that fell more than \(subscriberBuffer) events behind")
        }
    }

    private func flushDelta(id: String) {
        let text = withState { $0.pendingDeltas.removeValue(forKey: id) }
        guard let text else { return }
        publishDelta(RequestDelta(id: id, text: text))
    }

    private func publishDelta(_ delta: RequestDelta) {
        let listening = state.withLock { !$0.subscribers.isEmpty }
        let json = listening ? encode(.delta, delta) : nil
        withState { s in
            let entry = RingEntry(id: s.nextID, kind: .delta, json: json, delta: delta)
            s.nextID += 1
            keep(entry, in: &s)
            guard !s.subscribers.isEmpty, let event = materialize(entry) else { return }
            for (key, sub) in s.subscribers where sub.following.ids.contains(delta.id) {
                deliver(.event(event), to: key, in: &s)
            }
        }
    }

    /// Publishes every pending delta (called on the 50 ms tick).
    func flushDeltas() {
        let pending = withState { s -> [String: String] in
            let p = s.pendingDeltas
            s.pendingDeltas.removeAll(keepingCapacity: true)
            return p
        }
        for (id, text) in pending.sorted(by: { $0.key < $1.key }) {
            publishDelta(RequestDelta(id: id, text: text))
        }
    }

    /// Runs `body` under the lock, then finishes the streams it dropped.
    private func withState<R>(_ body: (inout State) -> R) -> R {
        let (result, finishing) = state.withLock { s -> (R, [AsyncStream<Item>.Continuation]) in
            let r = body(&s)
            let f = s.toFinish
            s.toFinish.removeAll()
            return (r, f)
        }
        for continuation in finishing { continuation.finish() }
        return result
    }

    // MARK: Subscribing

    /// A stream of events after `lastEventID` (or from now). When `lastEventID` is older than the ring
    /// holds, or is not one of this server's (another node's, or from before a restart), the stream
    /// starts with `resync`. `lastEventID` 0 replays everything the ring holds.
    ///
    /// A resumed stream replays the ring's events after `lastEventID` through the subscriber's filter,
    /// deltas included: the deltas seen before and after a reconnect add up to each answer's text.
    public func subscribe(filter: Filter, lastEventID: UInt64?) -> AsyncStream<Item> {
        let (stream, continuation) = AsyncStream.makeStream(of: Item.self, bufferingPolicy: .bufferingOldest(subscriberBuffer))
        let (key, replay, followingNow) = withState { s -> (UInt64, [RingEntry], Following) in
            let key = s.nextSubscriber
            s.nextSubscriber += 1
            var sub = Subscriber(filter: filter, continuation: continuation)
            // Requests already in flight: follow those that match, so their deltas arrive.
            for summary in s.inFlight.values { _ = sub.following.admit(.started, summary, filter: filter) }
            s.subscribers[key] = sub
            guard var lastEventID else { return (key, [], sub.following) }
            let ordered = s.ring[s.ringStart...] + s.ring[..<s.ringStart]
            let oldest = ordered.first?.id ?? s.nextID
            // 0 is no event's id: it asks for everything the ring holds.
            if lastEventID == 0 { lastEventID = oldest - 1 }
            if lastEventID + 1 < oldest || lastEventID >= s.nextID {
                let resync = LiveEvent(id: s.nextID - 1, kind: .resync, json: "{}")
                deliver(.event(resync), to: key, in: &s)
                return (key, [], sub.following)
            }
            let replay = ordered.filter { $0.id > lastEventID }
            if !replay.isEmpty { s.subscribers[key]?.backlog = [] }
            return (key, replay, sub.following)
        }
        if !replay.isEmpty {
            // Filtered and encoded outside the lock, so publishing goes on meanwhile; what it publishes
            // waits in the backlog.
            let events = Self.replayed(replay, filter: filter, followingNow: followingNow).compactMap(materialize)
            withState { s in
                guard let backlog = s.subscribers[key]?.backlog else { return }
                s.subscribers[key]?.backlog = nil
                for event in events { deliver(.event(event), to: key, in: &s) }
                for item in backlog { deliver(item, to: key, in: &s) }
            }
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: key) }  // (never called with the lock held: see withState)
        }
        return stream
    }

    /// The resumed events a subscriber with `filter` receives. A request that started before the resume
    /// point is followed when it is in flight and matching now (`followingNow`), or when its first
    /// resumed event (an update or its completion) matches.
    private static func replayed(_ entries: [RingEntry], filter: Filter, followingNow: Following) -> [RingEntry] {
        var following = followingNow
        var seen: Set<String> = []
        for entry in entries {
            guard let request = entry.request, seen.insert(request.id).inserted, entry.kind != .started else { continue }
            _ = following.admit(.started, request, filter: filter)
        }
        return entries.filter { entry in
            if let request = entry.request { return following.admit(entry.kind, request, filter: filter) }
            if let delta = entry.delta { return following.ids.contains(delta.id) }
            return filter.receivesServerWide(entry.kind, audience: entry.audience)
        }
    }

    // MARK: Ticks

    /// Flushes deltas every 50 ms, pings subscribers every 15 s and publishes `stats` every 5 s when
    /// something changed, until graceful shutdown; then ends every subscriber's stream.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var ticks = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(50))
                ticks += 1
                self.flushDeltas()
                if ticks % 300 == 0 { self.pingAll() }
                if ticks % 100 == 0 { await self.publishStatsIfChanged() }
            }
        }
        flushDeltas()
        let subscribers = withState { s -> [Subscriber] in
            let all = Array(s.subscribers.values)
            s.subscribers.removeAll()
            return all
        }
        for sub in subscribers { sub.continuation.finish() }
    }

    func pingAll() {
        withState { s in
            for key in Array(s.subscribers.keys) { deliver(.ping, to: key, in: &s) }
        }
    }

    private func publishStatsIfChanged() async {
        let wanted = withState { s -> Bool in
            let w = s.changedSinceStats && !s.subscribers.isEmpty
            if w { s.changedSinceStats = false }
            return w
        }
        guard wanted, let stats = await statsProvider() else { return }
        publish(.stats, stats, request: nil)
    }
}
