import AsyncHTTPClient
import Client
import Foundation
import NIOCore
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Faults on every side of the proxy, through the real binary: upstreams that stall, answer garbage or
/// reset the connection, a disk that fills up, and SIGTERM under load. (Refused connections, an upstream
/// dying mid-stream, a client hanging up and SIGTERM with one stream are in the other suites.)
@Suite struct FaultEndToEndTests {
    static let chunkedSSEHead = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"

    /// A response body read as it arrives, so a test can look at it while the stream is still open.
    final class StreamRead: Sendable {
        private let state = Mutex((text: "", ended: false, failed: false))
        var text: String { state.withLock { $0.text } }
        var ended: Bool { state.withLock { $0.ended } }
        /// Whether the stream ended with an error (the connection was cut) rather than a clean end.
        var failed: Bool { state.withLock { $0.failed } }

        func read(_ response: HTTPClientResponse) async {
            do {
                for try await chunk in response.body { state.withLock { $0.text += String(buffer: chunk) } }
                state.withLock { $0.ended = true }
            } catch {
                state.withLock {
                    $0.ended = true
                    $0.failed = true
                }
            }
        }
    }

    /// A value shared with closures that run concurrently.
    /// Waits until `condition` holds, failing after `timeout` (an upper bound for hangs, not a timing assertion).
    static func waitUntil(_ what: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ProcessFailure("\(what): not within \(timeout)")
    }

    /// Whether process `pid` ignores `signal` (Linux: the SigIgn mask in /proc/PID/status).
    static func ignoresSignal(_ pid: Int32, _ signal: Int32) throws -> Bool {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigIgn:") }),
            let mask = UInt64(line.dropFirst("SigIgn:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        else { throw ProcessFailure("no SigIgn line in /proc/\(pid)/status") }
        return mask & (1 << UInt64(signal - 1)) != 0
    }

    // MARK: - An upstream that stalls

    @Test func aStreamThatStallsIsCutAtTheIdleTimeoutWhileOtherRequestsAreServed() async throws {
        let events = FakeUpstream.sseEvent(0) + FakeUpstream.sseEvent(1)
        try await withRawUpstream(script: { connection in
            guard connection.readRequest() != nil else { return }
            connection.write(Self.chunkedSSEHead)
            connection.writeChunk(Array(FakeUpstream.sseEvent(0).utf8))
            connection.writeChunk(Array(FakeUpstream.sseEvent(1).utf8))
            // Then silence, until llmtrace gives up and closes the connection (at most a minute).
            connection.waitForPeerClose(timeout: 60)
        }) { raw in
            // Ten seconds of silence: long enough for the other requests below on a loaded machine.
            try await withUpstreamAndLLMTrace(["--upstream-idle-timeout", "10"]) { upstream, server in
                let response = try await HTTP.client.execute(
                    HTTPClientRequest(url: "\(raw.route(via: server.url))/v1/chat/completions"),
                    timeout: .seconds(30)
                )
                #expect(response.status.code == 200)
                let id = try #require(response.headers.first(name: "x-llmtrace-id"))
                let stalled = StreamRead()
                let reading = Task { await stalled.read(response) }
                try await Self.waitUntil("both events forwarded") { stalled.text == events }

                // While that exchange hangs, other requests go through: a proxied call and the API.
                let other = try await HTTP.send("\(upstream.route(via: server.url))/v1/chat/completions", method: .POST, body: Array("{}".utf8))
                #expect(other.status == 200)
                #expect(other.text == FakeUpstream.json)
                #expect(try await HTTP.send("\(server.url)/api/health").status == 200)
                #expect(!stalled.ended, "the stalled stream should still be open while the other request completes")

                // Then the idle timeout cuts it: the client has what was sent and sees the connection close.
                await reading.value
                #expect(stalled.failed, "the client should see the stream cut, not a clean end")
                #expect(stalled.text == events)
                try await Self.waitUntil("llmtrace closes the upstream connection") { raw.peerClosed == 1 }

                let record = try await HTTP.eventually("\(server.url)/api/requests/\(id)") { $0["error"] is [String: Any] }
                let error = try #require(record["error"] as? [String: Any])
                #expect(error["type"] as? String == "upstream_timeout")
                #expect((error["message"] as? String ?? "").contains("--upstream-idle-timeout"))
                #expect(record["complete"] as? Bool == false)
                #expect(record["status"] as? Int == 200)
                #expect((record["responseBody"] as? [String: Any])?["content"] as? String == events)
            }
        }
    }

    @Test func anUpstreamSilentBeforeItsResponseHeadGets504() async throws {
        try await withRawUpstream(script: { connection in
            guard connection.readRequest() != nil else { return }
            connection.waitForPeerClose(timeout: 60)
        }) { raw in
            try await withLLMTrace(["--upstream-idle-timeout", "1"]) { server in
                let reply = try await HTTP.send("\(raw.route(via: server.url))/v1/models")
                #expect(reply.status == 504)
                let error = try #require(try reply.json()["error"] as? [String: Any])
                #expect(error["type"] as? String == "upstream_timeout")
                #expect((error["message"] as? String ?? "").contains("sent no response within 1 s"))
                let id = try #require(reply.headers.first(name: "x-llmtrace-id"))
                let record = try await HTTP.eventually("\(server.url)/api/requests/\(id)") { $0["status"] as? Int == 504 }
                #expect((record["error"] as? [String: Any])?["type"] as? String == "upstream_timeout")
                try await Self.waitUntil("llmtrace closes the upstream connection") { raw.peerClosed == 1 }
            }
        }
    }

    // MARK: - An upstream that answers garbage

    @Test(arguments: [false, true])
    func anUpstreamThatIsNotHTTPGets502WithAClearMessage(closeAfterGarbage: Bool) async throws {
        // What a TLS port says to plain HTTP (an alert record), then an SSH banner and binary junk.
        let garbage: [UInt8] = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x50] + Array("SSH-2.0-OpenSSH_9.6\r\n".utf8) + FakeUpstream.bytes(300)
        try await withRawUpstream(script: { connection in
            guard connection.readRequest() != nil else { return }
            connection.write(garbage)
            if !closeAfterGarbage { connection.waitForPeerClose(timeout: 30) }
        }) { raw in
            try await withLLMTrace { server in
                let reply = try await HTTP.send("\(raw.route(via: server.url))/v1/chat/completions", method: .POST, body: Array("{}".utf8))
                #expect(reply.status == 502)
                #expect(reply.headers.first(name: "content-type")?.hasPrefix("application/json") == true)
                let error = try #require(try reply.json()["error"] as? [String: Any])
                #expect(error["type"] as? String == "upstream_invalid_response")
                let message = error["message"] as? String ?? ""
                #expect(message.contains("not an HTTP response"), "\(message)")
                #expect(message.contains("127.0.0.1:\(raw.port)"), "\(message)")

                let id = try #require(reply.headers.first(name: "x-llmtrace-id"))
                let record = try await HTTP.eventually("\(server.url)/api/requests/\(id)") { $0["status"] as? Int == 502 }
                #expect((record["error"] as? [String: Any])?["type"] as? String == "upstream_invalid_response")
                #expect(record["complete"] as? Bool == true)
                // The server is still fine.
                #expect(try await HTTP.send("\(server.url)/api/health").json()["status"] as? String == "ok")
            }
        }
    }

    @Test func aStreamOfInvalidUTF8AndBinaryJunkIsForwardedByteForByteAndStored() async throws {
        var bytes: [UInt8] = Array(FakeUpstream.sseEvent(0).utf8)
        bytes += Array("data: ".utf8) + [0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80] + Array(" not UTF-8\n\n".utf8)
        // A JSON event whose text is cut inside a multi-byte character, with a NUL.
        bytes += Array(#"data: {"choices":[{"delta":{"content":"caf"#.utf8) + [0xc3, 0x00, 0xe2, 0x82] + Array("\"}}]}\n\n".utf8)
        bytes += FakeUpstream.bytes(4000, seed: 9) + Array("\n\n".utf8)
        bytes += Array("data: [DONE]\n\n".utf8)
        let body = bytes
        try await withRawUpstream(script: { connection in
            guard connection.readRequest() != nil else { return }
            connection.write(Self.chunkedSSEHead)
            // Chunks that split multi-byte sequences and events at odd places.
            var offset = 0
            var size = 7
            while offset < body.count {
                let end = min(body.count, offset + size)
                connection.writeChunk(Array(body[offset..<end]))
                offset = end
                size = size * 3 % 997 + 1
            }
            connection.write("0\r\n\r\n")
            connection.waitForPeerClose(timeout: 10)
        }) { raw in
            try await withTempDatabase { db, _ in
                try await withLLMTrace(["--db", db]) { server in
                    let reply = try await HTTP.send(
                        "\(raw.route(via: server.url))/v1/chat/completions",
                        method: .POST,
                        body: Array(#"{"model":"gpt-4o","stream":true}"#.utf8)
                    )
                    #expect(reply.status == 200)
                    #expect(reply.body == body)
                    let id = try #require(reply.headers.first(name: "x-llmtrace-id"))

                    // Saved to SQLite (the list reads only the store), then served as valid JSON.
                    try await Self.waitUntil("the record is stored") {
                        let page = try await HTTP.send("\(server.url)/api/requests").json()
                        return (page["items"] as? [[String: Any]])?.contains {
                            $0["id"] as? String == id && $0["complete"] != nil && $0["durationMs"] is Double
                        } == true
                    }
                    let served = try await HTTP.send("\(server.url)/api/requests/\(id)")
                    #expect(served.status == 200)
                    let record = try served.json()
                    #expect(record["status"] as? Int == 200)
                    let responseBody = try #require(record["responseBody"] as? [String: Any])
                    #expect(responseBody["encoding"] as? String == "base64")
                    #expect(responseBody["size"] as? Int == body.count)
                    let stored = Data(base64Encoded: responseBody["content"] as? String ?? "").map { Array($0) }
                    #expect(stored == body)
                    // Every read path copes: the list, a text search, statistics.
                    #expect(try await HTTP.send("\(server.url)/api/requests?q=caf").status == 200)
                    #expect(try await HTTP.send("\(server.url)/api/stats").json()["totalRequests"] as? Int == 1)
                }
            }
        }
    }

    // MARK: - An upstream that resets the connection

    @Test func anUpstreamResetMidStreamCutsTheClientAndIsRecorded() async throws {
        let events = FakeUpstream.sseEvent(0) + FakeUpstream.sseEvent(1)
        let resetNow = Shared(false)
        try await withRawUpstream(script: { connection in
            guard connection.readRequest() != nil else { return }
            connection.write(Self.chunkedSSEHead)
            connection.writeChunk(Array(FakeUpstream.sseEvent(0).utf8))
            connection.writeChunk(Array(FakeUpstream.sseEvent(1).utf8))
            // Reset once the client has both events, so the RST cannot discard bytes llmtrace has not read yet.
            connection.waitUntil { resetNow.withLock { $0 } }
            connection.reset()
        }) { raw in
            try await withLLMTrace { server in
                let response = try await HTTP.client.execute(
                    HTTPClientRequest(url: "\(raw.route(via: server.url))/v1/chat/completions"),
                    timeout: .seconds(30)
                )
                let id = try #require(response.headers.first(name: "x-llmtrace-id"))
                let stream = StreamRead()
                let reading = Task { await stream.read(response) }
                try await Self.waitUntil("both events forwarded") { stream.text == events }
                resetNow.withLock { $0 = true }
                await reading.value
                #expect(stream.failed, "the client should see the stream cut, not a clean end")
                #expect(stream.text == events)

                let record = try await HTTP.eventually("\(server.url)/api/requests/\(id)") { $0["error"] is [String: Any] }
                let error = try #require(record["error"] as? [String: Any])
                #expect(error["type"] as? String == "upstream_failed")
                #expect((error["message"] as? String ?? "").contains("reset"), "\(error)")
                #expect(record["complete"] as? Bool == false)
                #expect((record["responseBody"] as? [String: Any])?["content"] as? String == events)
                #expect(try await HTTP.send("\(server.url)/api/health").status == 200)
            }
        }
    }

    // MARK: - Answers of known length

    /// A small answer of known length is read whole before it is forwarded (in one write): one that comes in
    /// pieces still reaches the client byte for byte and is understood.
    @Test func aSmallAnswerThatComesInPiecesIsForwardedWholeAndUnderstood() async throws {
        let answer = Array(KeepAliveEndToEndTests.answer.utf8)
        let half = answer.count / 2
        try await withRawUpstream(script: { connection in
            guard connection.readRequest() != nil else { return }
            connection.write(
                Array("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: \(answer.count)\r\n\r\n".utf8) + answer[..<half]
            )
            usleep(300_000)
            connection.write(Array(answer[half...]))
            connection.waitForPeerClose(timeout: 10)
        }) { raw in
            try await withLLMTrace { server in
                let reply = try await HTTP.send("\(raw.route(via: server.url))/v1/chat/completions", method: .POST, body: Array("{}".utf8))
                #expect(reply.status == 200)
                #expect(reply.body == answer)
                #expect(reply.headers.first(name: "content-length") == "\(answer.count)")
                let id = try #require(reply.headers.first(name: "x-llmtrace-id"))
                let record = try await HTTP.eventually("\(server.url)/api/requests/\(id)") { $0["complete"] as? Bool == true }
                #expect(record["model"] as? String == "gpt-4o-mini")
                #expect((record["usage"] as? [String: Any])?["outputTokens"] as? Int == 1)
                #expect((record["responseBody"] as? [String: Any])?["content"] as? String == KeepAliveEndToEndTests.answer)
            }
        }
    }

    /// An answer of known length that stops short: the client gets the head and the bytes that came, then
    /// the cut; the record says how far it got.
    @Test func anAnswerOfKnownLengthCutShortReachesTheClientAsFarAsItCame() async throws {
        let part = String(repeating: "x", count: 40)
        try await withRawUpstream(script: { connection in
            guard connection.readRequest() != nil else { return }
            connection.write("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n\(part)")
        }) { raw in
            try await withLLMTrace { server in
                let response = try await HTTP.client.execute(
                    HTTPClientRequest(url: "\(raw.route(via: server.url))/v1/chat/completions"),
                    timeout: .seconds(30)
                )
                #expect(response.status == .ok)
                let id = try #require(response.headers.first(name: "x-llmtrace-id"))
                let stream = StreamRead()
                await stream.read(response)
                #expect(stream.failed, "the client should see the answer cut, not a clean end")
                #expect(stream.text == part)

                let record = try await HTTP.eventually("\(server.url)/api/requests/\(id)") { $0["error"] is [String: Any] }
                let error = try #require(record["error"] as? [String: Any])
                #expect(error["type"] as? String == "upstream_failed")
                #expect((error["message"] as? String ?? "").contains("after 40 byte(s)"), "\(error)")
                #expect(record["complete"] as? Bool == false)
                #expect((record["responseBody"] as? [String: Any])?["content"] as? String == part)
            }
        }
    }

    // MARK: - A full disk

    @Test func aFileSizeLimitDegradesCaptureButNeverForwarding() async throws {
        try await withTempDatabase { db, _ in
            // 2048 blocks of 512 or 1024 bytes (the shell decides): 1-2 MB per file, room to start and save a few records.
            try await withUpstreamAndLLMTrace(["--db", db], launcher: ["/bin/sh", "-c", #"ulimit -f 2048 && exec "$0" "$@""#]) { upstream, server in
                // Every request is forwarded unchanged, before and after the database stops growing.
                var ids: [String] = []
                var degradedAfter: Int?
                for i in 0..<120 {
                    let payload = Array(String(repeating: "request \(i) ", count: 4000).utf8) + FakeUpstream.bytes(16_000, seed: UInt64(i))
                    let reply = try await HTTP.send(
                        "\(upstream.route(via: server.url))/echo",
                        method: .POST,
                        headers: [("content-type", "application/octet-stream")],
                        body: payload
                    )
                    #expect(reply.status == 200)
                    #expect(reply.body == payload, "request \(i) was not forwarded unchanged")
                    ids.append(try #require(reply.headers.first(name: "x-llmtrace-id")))
                    if degradedAfter == nil, i % 5 == 4, try await HTTP.send("\(server.url)/api/health").json()["status"] as? String == "degraded" {
                        degradedAfter = i
                    }
                    if let after = degradedAfter, i >= after + 5 { break }
                }
                #expect(degradedAfter != nil, "the store never failed: the file-size limit did not bite")
                #expect(ProcessExit.status(of: server.process) == nil, "SIGXFSZ must not kill the server")
                // SQLite happens to write from libdispatch threads, which block SIGXFSZ, so the signal alone
                // rarely kills: check that the server ignores it, as any thread may write (closing the store does).
                #expect(try Self.ignoresSignal(server.process.processIdentifier, SIGXFSZ))

                // Small records may still fit after a big one failed, so saves can alternate: the status stays
                // degraded for a minute after any failure, and says why.
                let health = try await HTTP.send("\(server.url)/api/health").json()
                #expect(health["status"] as? String == "degraded")
                let reason = health["reason"] as? String ?? ""
                #expect(reason.contains("not") && reason.contains("saved") && reason.contains("file too large"), "\(reason)")
                let capture = try #require(health["capture"] as? [String: Any])
                #expect(capture["lastStoreErrorKind"] as? String == "file_too_large")
                #expect((capture["lastStoreError"] as? String ?? "").contains("ulimit -f"))
                #expect((capture["saved"] as? Int ?? 0) > 0, "a few records should be saved before the limit")
                #expect((capture["storeFailures"] as? Int ?? 0) > 0)
                #expect((health["storeError"] as? String ?? "").contains("file too large"))
                // The records saved before the limit can still be read.
                let page = try await HTTP.send("\(server.url)/api/requests?limit=1000")
                #expect(page.status == 200)
                #expect(((try page.json()["items"] as? [Any])?.count ?? 0) > 0)
                // The failure is logged once, not once per lost batch.
                #expect(server.log.components(separatedBy: "store failed").count == 2, "\(server.log.suffix(2000))")
            }
        }
    }

    // MARK: - A read-only file system

    /// `sh -c` script that makes `directory` a read-only bind mount in a private mount namespace, then
    /// runs its arguments.
    static func readOnlyLauncher(_ directory: String) -> [String] {
        [
            "/usr/bin/unshare", "-m", "/bin/sh", "-c",
            #"mount --bind "$D" "$D" && mount -o remount,bind,ro "$D" && exec "$0" "$@""#.replacingOccurrences(of: "$D", with: directory),
        ]
    }

    /// Whether this machine lets the tests make a read-only bind mount in a private mount namespace (root
    /// with CAP_SYS_ADMIN; container runtimes often forbid it). The unit tests in `StoreFaultTests` cover
    /// a read-only database everywhere.
    static let canMountReadOnly: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"), let dir = try? makeTempDirectory() else { return false }
        defer { try? FileManager.default.removeItem(at: dir) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: readOnlyLauncher(dir.path)[0])
        process.arguments = Array(readOnlyLauncher(dir.path).dropFirst()) + ["/bin/sh", "-c", "! touch \(dir.path)/probe 2>/dev/null"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    @Test(.enabled(if: canMountReadOnly, "needs unshare -m and mount (CAP_SYS_ADMIN)"))
    func aReadOnlyFileSystemDegradesCaptureButNeverForwarding() async throws {
        try await withTempDatabase { db, dir in
            try await withFakeUpstream { upstream in
                // One record, then kill -9: the WAL and its index stay, which SQLite needs to open a WAL
                // database on a read-only file system.
                let beforeID = try await withLLMTrace(["--db", db]) { first in
                    let before = try await HTTP.send("\(upstream.route(via: first.url))/v1/chat/completions", method: .POST, body: Array("{}".utf8))
                    let beforeID = try #require(before.headers.first(name: "x-llmtrace-id"))
                    _ = try await HTTP.eventually("\(first.url)/api/health") {
                        ($0["capture"] as? [String: Any])?["saved"] as? Int ?? 0 >= 1 && ($0["capture"] as? [String: Any])?["pending"] as? Int == 0
                    }
                    await first.stop(signal: SIGKILL)
                    return beforeID
                }

                try await withLLMTrace(["--db", db], launcher: Self.readOnlyLauncher(dir.path)) { server in
                    for i in 0..<5 {
                        let payload = Array("payload \(i) ".utf8) + FakeUpstream.bytes(10_000, seed: UInt64(i))
                        let reply = try await HTTP.send(
                            "\(upstream.route(via: server.url))/echo",
                            method: .POST,
                            headers: [("content-type", "application/octet-stream")],
                            body: payload
                        )
                        #expect(reply.status == 200)
                        #expect(reply.body == payload)
                    }
                    let health = try await HTTP.eventually("\(server.url)/api/health") { $0["status"] as? String == "degraded" }
                    let capture = try #require(health["capture"] as? [String: Any])
                    #expect(capture["lastStoreErrorKind"] as? String == "read_only")
                    #expect(capture["storeFailing"] as? Bool == true)
                    #expect((health["reason"] as? String ?? "").contains("read-only"))
                    // What was stored before is still served (beside this run's records that wait to be saved,
                    // which the list shows while they are held).
                    let page = try await HTTP.send("\(server.url)/api/requests").json()
                    #expect((page["items"] as? [[String: Any]])?.contains { $0["id"] as? String == beforeID } == true)
                }
            }
        }
    }

    // MARK: - SIGTERM under load

    @Test func sigtermUnderLoadFinishesEveryStreamAndKeepsEveryCompletedRequest() async throws {
        var config = HTTPClient.Configuration(decompression: .disabled)
        config.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 128
        try await withTempDatabase { db, _ in
            try await withUpstreamAndLLMTrace(["--db", db, "--shutdown-grace", "30"]) { upstream, server in
                let (streamIDs, shortIDs) = try await withHTTPClient(configuration: config) { client -> ([String], [String]) in
                    let streams = 32
                    let n = 20
                    let expected = (0..<n).map(FakeUpstream.sseEvent).joined() + "data: [DONE]\n\n"
                    let started = Shared(0)
                    let streamTasks = (0..<streams).map { _ in
                        Task { () -> (id: String?, text: String, failed: Bool) in
                            do {
                                let response = try await client.execute(
                                    HTTPClientRequest(url: "\(upstream.route(via: server.url))/gated-sse?n=\(n)"),
                                    timeout: .seconds(60)
                                )
                                var text = ""
                                var counted = false
                                for try await chunk in response.body {
                                    text += String(buffer: chunk)
                                    if !counted, text.contains("tok0") {
                                        counted = true
                                        started.withLock { $0 += 1 }
                                    }
                                }
                                return (response.headers.first(name: "x-llmtrace-id"), text, false)
                            } catch {
                                return (nil, "\(error)", true)
                            }
                        }
                    }

                    // Short requests, one after another, until the server stops taking them.
                    let completed = Shared<[String]>([])
                    let stopShort = Shared(false)
                    let shortTask = Task {
                        while !stopShort.withLock({ $0 }) {
                            var request = HTTPClientRequest(url: "\(upstream.route(via: server.url))/v1/chat/completions")
                            request.method = .POST
                            request.body = .bytes(ByteBuffer(string: "{}"))
                            do {
                                let response = try await client.execute(request, timeout: .seconds(30))
                                let body = try await response.body.collect(upTo: 1 << 20)
                                if response.status == .ok, String(buffer: body) == FakeUpstream.json,
                                    let id = response.headers.first(name: "x-llmtrace-id")
                                {
                                    completed.withLock { $0.append(id) }
                                }
                            } catch {
                                if ProcessExit.status(of: server.process) != nil { return }
                                try? await Task.sleep(for: .milliseconds(10))
                            }
                        }
                    }
                    // However this block ends, the short requests stop before the client is shut down.
                    let streamIDs = try await withTeardown(
                        shortTask,
                        teardown: { task in
                            stopShort.withLock { $0 = true }
                            await task.value
                        }
                    ) { _ in
                        try await Self.waitUntil("every stream is in flight", timeout: .seconds(60)) { started.withLock { $0 } == streams }
                        try await Self.waitUntil("short requests are flowing") { completed.withLock { $0.count } >= 5 }
                        kill(server.process.processIdentifier, SIGTERM)
                        // Once the server stops accepting, let the held streams go on.
                        let port = Int(URL(string: server.url)?.port ?? 0)
                        try await Self.waitUntil("the server stops accepting connections") {
                            (try? StalledConnection(port: port, request: "")).map {
                                $0.close()
                                return false
                            } ?? true
                        }
                        upstream.openGate()

                        var streamIDs: [String] = []
                        for task in streamTasks {
                            let result = await task.value
                            #expect(!result.failed, "a stream was cut by the shutdown: \(result.text.prefix(300))")
                            #expect(result.text == expected)
                            if let id = result.id { streamIDs.append(id) }
                        }
                        #expect(streamIDs.count == streams)
                        let status = await server.stop()
                        #expect(status == 0, "\(server.log.suffix(2000))")
                        return streamIDs
                    }
                    return (streamIDs, completed.withLock { $0 })
                }

                try await withLLMTrace(["--db", db]) { again in
                    var stored: [String: [String: Any]] = [:]
                    var cursor: String?
                    repeat {
                        let page = try await HTTP.send("\(again.url)/api/requests?limit=1000" + (cursor.map { "&cursor=\($0)" } ?? "")).json()
                        for item in page["items"] as? [[String: Any]] ?? [] {
                            if let id = item["id"] as? String { stored[id] = item }
                        }
                        cursor = page["nextCursor"] as? String
                    } while cursor != nil
                    for id in streamIDs + shortIDs {
                        let item = stored[id]
                        #expect(item != nil, "request \(id) completed for its client but is not in the store")
                        #expect(item?["complete"] as? Bool == true, "request \(id) is stored incomplete")
                        #expect(item?["status"] as? Int == 200)
                    }
                }
            }
        }
    }
}
