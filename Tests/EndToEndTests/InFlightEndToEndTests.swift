import AsyncHTTPClient
import Client
import Foundation
import LLMTraceModel
import NIOCore
import StreamDecoding
import Synchronization
import Testing

/// A call in flight is known before it ends (`request.updated`), and a client that resumes the event
/// stream rebuilds every answer exactly, through the real binary.
@Suite struct InFlightEndToEndTests {
    static let body = Array(#"{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"take your time"}]}"#.utf8)

    /// Polls `condition` until it holds or `deadline` passes (checking at least once); throws on timeout.
    static func poll(until deadline: ContinuousClock.Instant, _ what: String, _ condition: () async throws -> Bool) async throws {
        while true {
            if try await condition() { return }
            if ContinuousClock.now >= deadline { throw ProcessFailure("\(what) did not happen in time") }
            try await Task.sleep(for: .milliseconds(25))
        }
    }

    static func slowCall(_ upstream: FakeUpstream, _ server: LLMTraceProcess, env: String, n: Int, delay: Int) -> Task<HTTP.Reply, any Error> {
        Task {
            try await HTTP.send(
                "\(upstream.route(via: server.url, env: env))/slow/v1/chat/completions?n=\(n)&delay=\(delay)",
                method: .POST,
                headers: [("content-type", "application/json"), ("authorization", "Bearer sk-secret-0123456789abcd")],
                body: Self.body
            )
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")))
    func aSlowStreamShowsItsModelWhileInFlightInTheTUIAndTheEventStream() async throws {
        try await withUpstreamAndLLMTrace { upstream, server in
            try await withLLMTraceClient(try ServerAddress(server.url)) { client in
                let subscribed = Mutex(false)
                let watcher = LiveEventsEndToEndTests.collect(client, live: { subscribed.withLock { $0 = true } }) { events in
                    events.contains { $0.kind == .completed }
                }
                try await Self.poll(until: .now + .seconds(30), "subscribing") { subscribed.withLock { $0 } }
                try await withTmux(command: "\(LLMTraceProcess.binary.path) tui --server \(server.url)", width: 160, height: 45) { tmux in
                    try await tmux.waitFor("live")
                    let sent = ContinuousClock.now
                    let call = Self.slowCall(upstream, server, env: "slow", n: 80, delay: 100)

                    // The goal: within a second of the request, the row shows the model. Polled up to three,
                    // so that a machine busy with the rest of the suite does not fail it; the time is printed.
                    try await Self.poll(until: sent + .seconds(3), "the TUI row showing gpt-4o") {
                        let screen = try await tmux.screen()
                        return screen.split(separator: "\n").contains { $0.contains("slow") && $0.contains("gpt-4o") && $0.contains("openai") }
                    }
                    print("the TUI row showed gpt-4o after \(ContinuousClock.now - sent)")
                    // The in-flight record the API returns knows it too, and a model filter finds it.
                    let page = try await HTTP.eventually("\(server.url)/api/requests?filter=\(Self.escape("~e slow & ~m gpt-4o & ~stream & !~done"))")
                    {
                        ($0["items"] as? [Any])?.isEmpty == false
                    }
                    let items = try #require(page["items"] as? [[String: Any]])
                    let id = try #require(items.first?["id"] as? String)
                    let record = try await HTTP.send("\(server.url)/api/requests/\(id)").json()
                    #expect((record["model"] as? String)?.hasPrefix("gpt-4o") == true)
                    #expect(record["provider"] as? String == "openai-compatible")  // a local upstream
                    #expect(record["stream"] as? Bool == true)
                    #expect(record["complete"] as? Bool == false)
                    #expect(!(record["requestHeaders"].map { "\($0)" } ?? "").contains("sk-secret"))

                    // The detail says it streams.
                    try await tmux.send("Enter")
                    let opened = ContinuousClock.now
                    try await Self.poll(until: opened + .seconds(3), "the TUI detail saying 200, streaming…") {
                        let screen = try await tmux.screen()
                        return screen.contains("200, streaming…")
                            && screen.split(separator: "\n").contains { $0.contains("Stream ") && $0.contains("yes") }
                    }
                    let reply = try await call.value
                    #expect(reply.status == 200)
                    try await tmux.send("q")
                }
                let events = await watcher.value.events
                let startedIDs = events.compactMap { e -> String? in
                    if case .started(let s)? = try? e.payload(), s.env == "slow" { return s.id }
                    return nil
                }
                let id = try #require(startedIDs.first)
                let firstUpdateWithModel = events.firstIndex { e in
                    if case .updated(let s)? = try? e.payload() { return s.id == id && s.model == "gpt-4o" && s.provider == "openai-compatible" }
                    return false
                }
                let firstDelta = events.firstIndex { e in
                    if case .delta(let d)? = try? e.payload() { return d.id == id }
                    return false
                }
                let u = try #require(firstUpdateWithModel)
                let d = try #require(firstDelta)
                #expect(u < d)
                // Then the response's own model, once it named it.
                #expect(
                    events.contains { e in
                        if case .updated(let s)? = try? e.payload() {
                            return s.id == id && s.model == "gpt-4o-2024-08-06" && s.status == 200 && s.stream
                        }
                        return false
                    }
                )
                #expect(!events.contains { $0.json.contains("sk-secret") })
            }
        }
    }

    static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s
    }

    /// Subscribes, hangs up right after `request.started`, reconnects `gap` later with `Last-Event-ID`:
    /// the deltas seen before and after add up to exactly the streamed text, nothing repeated.
    @Test(arguments: [500, 3000])
    func resumingRebuildsTheTextStreamedWhileNobodyListened(gapMs: Int) async throws {
        try await withUpstreamAndLLMTrace { upstream, server in
            let n = 20
            let expected = (0..<n).map(FakeUpstream.slowWord).joined()
            let first = try await HTTP.client.execute(HTTPClientRequest(url: "\(server.url)/api/events"), timeout: .seconds(10))
            let call = Self.slowCall(upstream, server, env: "resume", n: n, delay: 100)

            var decoder = SSEDecoder()
            var lastID: UInt64 = 0
            var id: String?
            var before = ""
            readLoop: for try await chunk in first.body {
                for e in chunk.withUnsafeReadableBytes({ decoder.feed($0) }) {
                    guard let eventID = e.id.flatMap(UInt64.init) else { continue }
                    lastID = eventID
                    let data = try JSONSerialization.jsonObject(with: Data(e.data.utf8)) as? [String: Any]
                    if e.event == "request.delta", data?["id"] as? String == id { before += data?["text"] as? String ?? "" }
                    if e.event == "request.started" {
                        id = data?["id"] as? String
                        break readLoop  // hang up right after the start
                    }
                }
            }
            let requestID = try #require(id)
            try await Task.sleep(for: .milliseconds(gapMs))

            var request = HTTPClientRequest(url: "\(server.url)/api/events")
            request.headers.add(name: "last-event-id", value: String(lastID))
            let resumed = try await HTTP.client.execute(request, timeout: .seconds(10))
            var decoder2 = SSEDecoder()
            var after = ""
            var ids: [UInt64] = []
            var completedText: String?
            resumeLoop: for try await chunk in resumed.body {
                for e in chunk.withUnsafeReadableBytes({ decoder2.feed($0) }) {
                    guard let eventID = e.id.flatMap(UInt64.init) else { continue }
                    ids.append(eventID)
                    let data = try JSONSerialization.jsonObject(with: Data(e.data.utf8)) as? [String: Any]
                    guard data?["id"] as? String == requestID else { continue }
                    if e.event == "request.delta" { after += data?["text"] as? String ?? "" }
                    if e.event == "request.completed" {
                        completedText = data?["text"] as? String
                        break resumeLoop
                    }
                }
            }
            _ = try await call.value
            #expect(ids.allSatisfy { $0 > lastID })
            #expect(ids == ids.sorted() && Set(ids).count == ids.count)
            #expect(before + after == expected)
            #expect(completedText == expected)
        }
    }
}
