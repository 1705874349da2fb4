import AsyncHTTPClient
import Client
import Foundation
import LLMTraceModel
import NIOCore
import StreamDecoding
import Synchronization
import Testing

/// The live event stream, the unix socket, `llmtrace tail` and `--ssh`, through the real binary.
@Suite struct LiveEventsEndToEndTests {
    /// Collects a subscriber's events until `done` says it has what it needs; `live` is called once the
    /// server has the subscription (the stream's head arrived).
    ///
    /// It gives up only when no event arrived for `idleTimeout` (a stalled stream), never because the run
    /// is slow: on a loaded machine a thousand proxied streams can take well over a minute, and a fixed
    /// deadline then cut every subscriber off at the same point, which looked like events lost by the
    /// server. Whether it got what it needed is in ``Collected/finished``.
    static func collect(
        _ client: LLMTraceClient,
        idleTimeout: Duration = .seconds(30),
        live: @escaping @Sendable () -> Void = {},
        done: @escaping @Sendable ([LiveEvent]) -> Bool
    ) -> Task<Collected, Never> {
        Task {
            let lastProgress = LastProgress()
            return await withTaskGroup(of: Collected?.self) { group in
                group.addTask {
                    var events: [LiveEvent] = []
                    var wasLive = false
                    for await update in client.events() {
                        if case .state(.live) = update, !wasLive {
                            wasLive = true
                            live()
                        }
                        if case .event(let e) = update {
                            events.append(e)
                            lastProgress.mark()
                        }
                        if done(events) { return Collected(events: events, finished: true) }
                    }
                    return Collected(events: events, finished: false)  // cancelled by the watchdog
                }
                group.addTask {
                    // The watchdog: ends the collection once events stop coming.
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(250))
                        if ContinuousClock.now - lastProgress.at > idleTimeout { break }
                    }
                    return nil
                }
                var collected = Collected(events: [], finished: false)
                while let result = await group.next() {
                    group.cancelAll()
                    if let result { collected = result }
                }
                return collected
            }
        }
    }

    /// What ``collect(_:idleTimeout:live:done:)`` saw, and whether `done` was satisfied (rather than the
    /// stream going quiet for the idle timeout).
    struct Collected: Sendable {
        var events: [LiveEvent]
        var finished: Bool
    }

    /// When the collector last received an event.
    final class LastProgress: Sendable {
        private let instant = Mutex(ContinuousClock.now)
        var at: ContinuousClock.Instant { instant.withLock { $0 } }
        func mark() { instant.withLock { $0 = .now } }
    }

    /// Waits until a client's event stream is live.
    static func waitLive(_ client: LLMTraceClient) async {
        for await update in client.events() {
            if case .state(.live) = update { return }
        }
    }

    @Test func tenSubscribersSeeEveryStartedAndCompletedPairOfAThousandStreams() async throws {
        try await withUpstreamAndLLMTrace { upstream, server in
            let n = 1000
            try await withLLMTraceClients(10, of: try ServerAddress(server.url)) { clients in
                for c in clients { await Self.waitLive(c) }
                let completedCount: @Sendable ([LiveEvent]) -> Bool = { $0.filter { $0.kind == .completed }.count >= n }
                let subscribed = Mutex(0)
                let watchers = clients.map { Self.collect($0, live: { subscribed.withLock { $0 += 1 } }, done: completedCount) }
                let deadline = ContinuousClock.now + .seconds(30)
                while subscribed.withLock({ $0 }) < clients.count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
                try #require(subscribed.withLock { $0 } == clients.count)

                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in 0..<16 {
                        group.addTask {
                            for i in stride(from: worker, to: n, by: 16) {
                                let reply = try await HTTP.send("\(upstream.route(via: server.url))/sse?n=3&delay=0&i=\(i)")
                                #expect(reply.status == 200)
                            }
                        }
                    }
                    try await group.waitForAll()
                }

                for watcher in watchers {
                    let collected = await watcher.value
                    let events = collected.events
                    #expect(collected.finished, "the stream went quiet with \(events.filter { $0.kind == .completed }.count) of \(n) completions")
                    let ids = events.map(\.id)
                    #expect(ids == ids.sorted())
                    var started: [String: Int] = [:]
                    var completed: [String: Int] = [:]
                    for (position, event) in events.enumerated() {
                        switch try event.payload() {
                        case .started(let s): started[s.id] = position
                        case .completed(let s): completed[s.id] = position
                        default: break
                        }
                    }
                    #expect(started.count == n)
                    #expect(completed.count == n)
                    #expect(completed.allSatisfy { id, position in (started[id] ?? .max) < position })
                }
            }
        }
    }

    @Test func resumingWithLastEventIDLeavesNoGap() async throws {
        try await withUpstreamAndLLMTrace { upstream, server in
            for i in 0..<5 { _ = try await HTTP.send("\(upstream.route(via: server.url))/sse?n=2&delay=0&i=\(i)") }

            // Read the first three events, then hang up.
            let first = try await HTTP.client.execute(HTTPClientRequest(url: "\(server.url)/api/events?lastEventId=0"), timeout: .seconds(10))
            var decoder = SSEDecoder()
            var seen: [UInt64] = []
            readLoop: for try await chunk in first.body {
                for e in chunk.withUnsafeReadableBytes({ decoder.feed($0) }) {
                    if let id = e.id.flatMap(UInt64.init) { seen.append(id) }
                    if seen.count == 3 { break readLoop }
                }
            }
            for i in 5..<8 { _ = try await HTTP.send("\(upstream.route(via: server.url))/sse?n=2&delay=0&i=\(i)") }

            // Resume after the last one seen: everything after it arrives, with no gap.
            var request = HTTPClientRequest(url: "\(server.url)/api/events")
            request.headers.add(name: "last-event-id", value: String(seen[2]))
            let resumed = try await HTTP.client.execute(request, timeout: .seconds(10))
            var decoder2 = SSEDecoder()
            var completed = 0
            resumeLoop: for try await chunk in resumed.body {
                for e in chunk.withUnsafeReadableBytes({ decoder2.feed($0) }) {
                    guard let id = e.id.flatMap(UInt64.init) else { continue }
                    seen.append(id)
                    if e.event == "request.completed" { completed += 1 }
                    if completed == 8 - 1 { break resumeLoop }  // the first three events held one completion
                }
            }
            // Consecutive ids (they start at a random per-run epoch).
            #expect(seen == Array(seen[0]..<seen[0] + UInt64(seen.count)))
        }
    }

    @Test func aSubscriberThatStopsReadingDoesNotSlowTheProxy() async throws {
        try await withUpstreamAndLLMTrace { upstream, server in
            func batch() async throws -> Duration {
                let start = ContinuousClock.now
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for w in 0..<8 {
                        group.addTask {
                            for i in 0..<40 { _ = try await HTTP.send("\(upstream.route(via: server.url))/sse?n=5&delay=0&w=\(w)&i=\(i)") }
                        }
                    }
                    try await group.waitForAll()
                }
                return ContinuousClock.now - start
            }
            _ = try await batch()  // warm up
            let without = try await batch()

            // A subscriber that connects and never reads a byte.
            let stalled = try StalledConnection(port: Int(URL(string: server.url)?.port ?? 0), request: "GET /api/events HTTP/1.1\r\nHost: x\r\n\r\n")
            defer { stalled.close() }
            let with = try await batch()
            #expect(with < without * 3 + .seconds(2), "with a stalled subscriber: \(with), without: \(without)")
            let health = try await HTTP.send("\(server.url)/api/health").json()
            #expect((health["capture"] as? [String: Any])?["dropped"] as? Int == 0)
        }
    }

    @Test func theSocketIsPrivateStaleOnesAreReplacedAndASecondServerRefuses() async throws {
        try await withTempDirectory { dir in
            let socket = dir.appendingPathComponent("llmtrace.sock").path
            try await withLLMTrace(["--socket", socket]) { first in
                let attributes = try FileManager.default.attributesOfItem(atPath: socket)
                #expect((attributes[.posixPermissions] as? Int) == 0o600)

                try await withLLMTraceClient(.unix(socket)) { client in
                    try await client.ping()
                    let page = try await client.requests()
                    #expect(page.items.isEmpty)
                }

                let (status, output) = try await LLMTraceProcess.runToEnd(["serve", "--port", "0", "--socket", socket])
                #expect(status != 0)
                #expect(output.contains("already serving on \(socket)"))

                await first.stop(signal: SIGKILL)
            }
            #expect(FileManager.default.fileExists(atPath: socket))  // left behind by the crash
            // The second server is stopped (SIGTERM) at the end of its block.
            try await withLLMTrace(["--socket", socket]) { _ in
                try await withLLMTraceClient(.unix(socket)) { again in
                    try await again.ping()
                }
            }
            #expect(!FileManager.default.fileExists(atPath: socket))
        }
    }

    @Test func tailJSONPrintsOneLinePerCompletedRequest() async throws {
        try await withUpstreamAndLLMTrace { upstream, server in
            try await withTail(["tail", "--json", "--server", server.url, "--env", "watched"]) { tail in
                try await tail.waitFor("connected to")
                for env in ["watched", "other", "watched"] {
                    _ = try await HTTP.send(
                        "\(upstream.route(via: server.url, env: env))/v1/chat/completions",
                        method: .POST,
                        body: Array(#"{"model":"gpt-4o"}"#.utf8)
                    )
                }
                let lines = try await tail.waitForLines(2)
                let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
                #expect(
                    objects.allSatisfy {
                        $0["env"] as? String == "watched" && $0["status"] as? Int == 200 && $0["model"] as? String == "gpt-4o-2024-08-06"
                    }
                )
                #expect(objects.allSatisfy { ($0["usage"] as? [String: Any])?["totalTokens"] as? Int == 15 })
            }
        }
    }

    @Test func tailSaysPlainlyWhenTheServerIsUnreachable() async throws {
        try await withTail(["tail", "--server", "http://127.0.0.1:1"]) { tail in
            try await tail.waitFor("server unreachable (connection refused)")
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd")))
    func tailThroughAnSSHTunnel() async throws {
        let sshd = try await SSHServer.start()
        defer { sshd.stop() }
        let upstream = try await FakeUpstream.start()
        let socket = sshd.directory.appendingPathComponent("remote.sock").path
        let server = try await LLMTraceProcess.start(["--socket", socket])
        defer { Task { await server.stop() } }

        let tail = try TailProcess(
            ["tail", "--json", "--ssh", "root@127.0.0.1:\(sshd.port)", "--remote-socket", socket]
                + sshd.clientOptions.flatMap { ["--ssh-option", $0] }
        )
        defer { tail.stop() }
        try await tail.waitFor("connected to ssh root@127.0.0.1:\(sshd.port)")
        _ = try await HTTP.send(
            "\(upstream.route(via: server.url, env: "remote"))/v1/chat/completions",
            method: .POST,
            body: Array(#"{"model":"gpt-4o"}"#.utf8)
        )
        let lines = try await tail.waitForLines(1)
        #expect(lines.first?.contains(#""env":"remote""#) == true)
        tail.stop()
        // The tunnel (ssh -N -L) ends with tail.
        try await Task.sleep(for: .milliseconds(300))
        #expect(!(await sshd.hasTunnelProcess(for: socket)))
        await upstream.stop()
    }
}
