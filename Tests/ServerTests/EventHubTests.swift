import Foundation
import Logging
import Testing

@testable import LLMTraceModel
@testable import Server

@Suite struct EventHubTests {
    static func hub(ring: Int = 10_000, buffer: Int = 4096) -> EventHub {
        EventHub(ringCapacity: ring, subscriberBuffer: buffer, logger: Logger(label: "test")) { nil }
    }

    static func summary(_ i: Int, env: String = "dev", model: String? = nil, complete: Bool = false) -> TraceSummary {
        var s = StoreTests.record(i, env: env).summary
        s.model = model
        s.complete = complete
        return s
    }

    /// Takes `count` events from a stream (pings skipped).
    /// The first `count` events of `stream`, or those that came within `timeout` (an upper bound for a
    /// hang, so a missing event fails the test's expectations instead of stalling the run).
    static func take(_ count: Int, from stream: AsyncStream<EventHub.Item>, timeout: Duration = .seconds(30)) async -> [LiveEvent] {
        await withTaskGroup(of: [LiveEvent]?.self) { group in
            group.addTask {
                var out: [LiveEvent] = []
                for await item in stream {  // ends when the task is cancelled
                    if case .event(let e) = item { out.append(e) }
                    if out.count == count { break }
                }
                return out
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if let first { return first }
            return (await group.next() ?? nil) ?? []
        }
    }

    @Test func everySubscriberSeesEveryPairInOrder() async throws {
        let hub = Self.hub()
        let streams = (0..<10).map { _ in hub.subscribe(filter: .init(), lastEventID: nil) }
        for i in 0..<1000 {
            hub.requestStarted(Self.summary(i))
            hub.requestCompleted(Self.summary(i, complete: true))
        }
        for stream in streams {
            let events = await Self.take(2000, from: stream)
            #expect(events.count == 2000)
            #expect(events.map(\.id) == Array(1...2000).map(UInt64.init))
            #expect(events.enumerated().allSatisfy { $0.element.kind == ($0.offset % 2 == 0 ? .started : .completed) })
            let first = try events[0].payload()
            #expect(first == .started(Self.summary(0)))
        }
    }

    @Test func resumingWithLastEventIDLeavesNoGap() async throws {
        let hub = Self.hub()
        for i in 0..<10 { hub.requestStarted(Self.summary(i)) }
        let resumed = hub.subscribe(filter: .init(), lastEventID: 4)
        hub.requestStarted(Self.summary(10))
        let events = await Self.take(7, from: resumed)
        #expect(events.map(\.id) == Array(5...11).map(UInt64.init))
    }

    @Test func eventsPublishedWhileNobodyListensResumeEncodedAndInOrder() async throws {
        let hub = Self.hub(buffer: 10_000)
        for i in 0..<2000 {
            hub.requestStarted(Self.summary(i))
            hub.requestCompleted(Self.summary(i, complete: true))
        }
        // Publishing goes on while the resumed events are being encoded: no gap, no reordering.
        let publisher = Task {
            for i in 2000..<2500 { hub.requestStarted(Self.summary(i)) }
        }
        let resumed = hub.subscribe(filter: .init(), lastEventID: 0)
        await publisher.value
        let events = await Self.take(4500, from: resumed)
        try #require(events.count == 4500)
        #expect(events.map(\.id).elementsEqual(1...4500))
        #expect(try events[0].payload() == .started(Self.summary(0)))
        #expect(try events[1].payload() == .completed(Self.summary(0, complete: true)))
        #expect(try events[4499].payload() == .started(Self.summary(2499)))
    }

    @Test func aClientTooFarBehindIsToldToResync() async throws {
        let hub = Self.hub(ring: 16)
        for i in 0..<100 { hub.requestStarted(Self.summary(i)) }
        let stream = hub.subscribe(filter: .init(), lastEventID: 3)
        let events = await Self.take(1, from: stream)
        #expect(events.first?.kind == .resync)
    }

    @Test func anIDFromAnotherRunOrNodeGetsResyncNotAReplay() async throws {
        let first = EventHub.randomFirstEventID()
        #expect(first >> 40 >= 1 && first >> 40 < 1 << 23 && first & 0xFF_FFFF_FFFF == 1)
        let hub = EventHub(firstEventID: first, logger: Logger(label: "test")) { nil }
        for i in 0..<5 { hub.requestStarted(Self.summary(i)) }
        // Its own ids resume exactly.
        let own = await Self.take(2, from: hub.subscribe(filter: .init(), lastEventID: first + 2))
        #expect(own.map(\.id) == [first + 3, first + 4])
        // An id of a later epoch (another node, or this one before a restart) and one of an earlier epoch.
        for foreign in [first + (1 << 40), first - (1 << 40) + 3] {
            let events = await Self.take(1, from: hub.subscribe(filter: .init(), lastEventID: foreign))
            #expect(events.first?.kind == .resync, "\(foreign)")
        }
    }

    @Test func anotherNodesRecordsArriveAsStartedUpdatedAndCompleted() async throws {
        let hub = Self.hub()
        let stream = hub.subscribe(filter: .init(model: "gpt-4o"), lastEventID: nil)
        hub.remoteRecordSaved(Self.summary(1, model: "gpt-4o"))
        hub.remoteRecordSaved(Self.summary(1, model: "gpt-4o"))
        hub.remoteRecordSaved(Self.summary(2, model: "other", complete: true))
        hub.remoteRecordSaved(Self.summary(1, model: "gpt-4o", complete: true))
        let events = await Self.take(3, from: stream)
        #expect(events.map(\.kind) == [.started, .updated, .completed])
        #expect(try events[2].payload() == .completed(Self.summary(1, model: "gpt-4o", complete: true)))
    }

    @Test func aStalledSubscriberIsDroppedWithoutHoldingUpOthers() async throws {
        let hub = Self.hub(buffer: 16)
        let stalled = hub.subscribe(filter: .init(), lastEventID: nil)
        let started = ContinuousClock.now
        for i in 0..<1000 { hub.requestStarted(Self.summary(i)) }
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(hub.droppedSubscribers == 1)
        #expect(hub.subscriberCount == 0)
        // The stalled stream ends after what fitted in its buffer.
        var count = 0
        for await _ in stalled { count += 1 }
        #expect(count == 16)
    }

    @Test func deltasAreCoalescedAndFollowTheirRequest() async throws {
        let hub = Self.hub()
        let stream = hub.subscribe(filter: .init(), lastEventID: nil)
        hub.requestStarted(Self.summary(1))
        for word in ["Hel", "lo", " wor", "ld"] { hub.requestDelta(id: Self.summary(1).id, text: word) }
        hub.flushDeltas()
        hub.requestDelta(id: Self.summary(1).id, text: "!")
        hub.requestCompleted(Self.summary(1, complete: true))
        let events = await Self.take(4, from: stream)
        #expect(events.map(\.kind) == [.started, .delta, .delta, .completed])
        #expect(try events[1].payload() == .delta(RequestDelta(id: Self.summary(1).id, text: "Hello world")))
        #expect(try events[2].payload() == .delta(RequestDelta(id: Self.summary(1).id, text: "!")))
    }

    @Test func filtersApplyToEnvModelAndExpressions() async throws {
        let hub = Self.hub()
        let ci = hub.subscribe(filter: .init(env: "ci"), lastEventID: nil)
        let gpt = hub.subscribe(filter: .init(model: "gpt-4o"), lastEventID: nil)
        let expr = hub.subscribe(filter: .init(expression: try FilterParser.parse("~done & ~m claude")), lastEventID: nil)
        hub.requestStarted(Self.summary(1, env: "dev"))
        hub.requestCompleted(Self.summary(1, env: "dev", model: "claude-3", complete: true))
        hub.requestStarted(Self.summary(2, env: "ci"))
        hub.requestCompleted(Self.summary(2, env: "ci", model: "gpt-4o", complete: true))
        hub.cleared()
        #expect(await Self.take(3, from: ci).map(\.kind) == [.started, .completed, .cleared])
        // The model is unknown when requests start, so both starts pass; only the matching completion does.
        #expect(await Self.take(4, from: gpt).map(\.kind) == [.started, .started, .completed, .cleared])
        #expect(await Self.take(2, from: expr).map(\.kind) == [.completed, .cleared])
    }

    /// The deltas of `stream` for request `id`, joined, until its completion.
    static func text(of id: String, in events: [LiveEvent]) throws -> String {
        try events.compactMap { e -> String? in
            guard case .delta(let d) = try e.payload(), d.id == id else { return nil }
            return d.text
        }.joined()
    }

    @Test func deltasPublishedWhileNobodyListensAreReplayedOnResume() async throws {
        let hub = Self.hub()
        let s = Self.summary(1)
        var first: AsyncStream<EventHub.Item>? = hub.subscribe(filter: .init(), lastEventID: nil)
        hub.requestStarted(s)
        hub.requestDelta(id: s.id, text: "part one ")
        hub.flushDeltas()
        let seen = await Self.take(2, from: try #require(first))
        first = nil  // the subscriber hangs up
        while hub.subscriberCount > 0 { try await Task.sleep(for: .milliseconds(1)) }
        // Nobody listens: the deltas are still kept.
        for word in ["two ", "three ", "four"] {
            hub.requestDelta(id: s.id, text: word)
            hub.flushDeltas()
        }
        let resumed = hub.subscribe(filter: .init(), lastEventID: seen.last?.id)
        hub.requestDelta(id: s.id, text: "!")
        hub.requestCompleted(Self.summary(1, complete: true))
        let after = await Self.take(5, from: resumed)
        #expect(after.map(\.kind) == [.delta, .delta, .delta, .delta, .completed])
        #expect(try Self.text(of: s.id, in: seen) + Self.text(of: s.id, in: after) == "part one two three four!")
    }

    @Test func aResumeReplaysOnlyTheDeltasOfRequestsItsFilterFollows() async throws {
        let hub = Self.hub()
        let dev = Self.summary(1, env: "dev")
        let ci = Self.summary(2, env: "ci")
        hub.requestStarted(dev)
        hub.requestStarted(ci)
        hub.requestDelta(id: dev.id, text: "dev text")
        hub.requestDelta(id: ci.id, text: "ci text")
        hub.flushDeltas()
        hub.requestCompleted(Self.summary(2, env: "ci", complete: true))
        // Resuming after both starts: the ci request is followed although its start is not replayed.
        let resumed = hub.subscribe(filter: .init(env: "ci"), lastEventID: 2)
        hub.cleared()
        let events = await Self.take(3, from: resumed)
        #expect(events.map(\.kind) == [.delta, .completed, .cleared])
        #expect(try Self.text(of: ci.id, in: events) == "ci text")
    }

    @Test func updatesCarryTheModelAndTheModelFilterFollowsACallThatMatchedAtStart() async throws {
        let hub = Self.hub()
        let gpt = hub.subscribe(filter: .init(model: "gpt-4o"), lastEventID: nil)
        let claudeExpression = hub.subscribe(filter: .init(expression: try FilterParser.parse("~m claude")), lastEventID: nil)
        let s = Self.summary(1)
        hub.requestStarted(s)
        hub.requestUpdated(Self.summary(1, model: "gpt-4o"))
        hub.requestDelta(id: s.id, text: "Hi")
        hub.flushDeltas()
        // The response names its dated snapshot: the call matched at start, so its end still arrives.
        hub.requestCompleted(Self.summary(1, model: "gpt-4o-2024-08-06", complete: true))
        let c = Self.summary(2)
        hub.requestStarted(c)
        hub.requestUpdated(Self.summary(2, model: "claude-3"))
        hub.requestDelta(id: c.id, text: "Yo")
        hub.flushDeltas()
        hub.requestCompleted(Self.summary(2, model: "claude-3", complete: true))
        hub.cleared()
        let g = await Self.take(6, from: gpt)
        #expect(g.map(\.kind) == [.started, .updated, .delta, .completed, .started, .cleared])
        #expect(try g[1].payload() == .updated(Self.summary(1, model: "gpt-4o")))
        // The expression finds the claude call as soon as an update names its model.
        let e = await Self.take(4, from: claudeExpression)
        #expect(e.map(\.kind) == [.updated, .delta, .completed, .cleared])
        #expect(try Self.text(of: c.id, in: e) == "Yo")
    }

    @Test func aSubscriberJoiningMidStreamFollowsRequestsByTheirLatestSummary() async throws {
        let hub = Self.hub()
        let s = Self.summary(1)
        hub.requestStarted(s)
        hub.requestUpdated(Self.summary(1, model: "claude-3"))
        let stream = hub.subscribe(filter: .init(expression: try FilterParser.parse("~m claude")), lastEventID: nil)
        hub.requestDelta(id: s.id, text: "late")
        hub.flushDeltas()
        hub.cleared()
        let events = await Self.take(2, from: stream)
        #expect(events.map(\.kind) == [.delta, .cleared])
    }

    @Test func sseFormIsOneEventPerBlock() {
        let e = LiveEvent(id: 7, kind: .delta, json: #"{"id":"x","text":"hi"}"#)
        #expect(e.sse == "id: 7\nevent: request.delta\ndata: {\"id\":\"x\",\"text\":\"hi\"}\n\n")
    }

    /// The guarantee the ten-subscriber end-to-end test relies on: a subscriber dropped for falling
    /// behind, even again and again (each resume replays more than its buffer holds), loses nothing
    /// while the ring holds the events, updates included.
    @Test func aSubscriberDroppedOverAndOverResumesWithoutLosingAnEvent() async throws {
        let hub = Self.hub(ring: 10_000, buffer: 16)
        var stream = hub.subscribe(filter: .init(), lastEventID: nil)
        let n = 200
        for i in 0..<n {
            hub.requestStarted(Self.summary(i))
            hub.requestUpdated(Self.summary(i, model: "gpt-4o"))
            hub.requestCompleted(Self.summary(i, model: "gpt-4o", complete: true))
        }
        #expect(hub.droppedSubscribers == 1)
        var events: [LiveEvent] = []
        var resumes = 0
        while events.count < 3 * n, resumes <= 3 * n {
            // Ends when the hub drops the subscriber again, or once everything arrived.
            for await item in stream {
                if case .event(let e) = item { events.append(e) }
                if events.count == 3 * n { break }
            }
            guard events.count < 3 * n else { break }
            resumes += 1
            stream = hub.subscribe(filter: .init(), lastEventID: events.last?.id ?? 0)
        }
        #expect(resumes > 1)
        #expect(events.map(\.id).elementsEqual(1...UInt64(3 * n)))
        #expect(!events.contains { $0.kind == .resync })
        var kinds: [String: [LiveEvent.Kind]] = [:]
        for event in events {
            switch try event.payload() {
            case .started(let s), .updated(let s), .completed(let s): kinds[s.id, default: []].append(event.kind)
            default: break
            }
        }
        #expect(kinds.count == n)
        #expect(kinds.values.allSatisfy { $0 == [.started, .updated, .completed] })
    }
}
