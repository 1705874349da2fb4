import Foundation
import Testing

/// SQLite persistence, secrets, crash safety, graceful shutdown and configuration, through the real binary.
@Suite struct PersistenceEndToEndTests {
    @Test func theProviderKeyNeverReachesTheDatabaseFile() async throws {
        try await withTempDatabase { db, _ in
            try await withUpstreamAndLLMTrace(["--db", db]) { upstream, server in
                let secret = "sk-proj-TOPSECRET0123456789abcdefWXYZ"
                let googleKey = "AIzaSyTOPSECRETgoogleKEY000000QRST"
                let reply = try await HTTP.send(
                    "\(upstream.route(via: server.url))/v1/chat/completions?key=\(googleKey)",
                    method: .POST,
                    headers: [
                        ("authorization", "Bearer \(secret)"), ("x-api-key", secret), ("x-goog-api-key", googleKey), ("cookie", "session=\(secret)"),
                    ],
                    body: Array(#"{"model":"gpt-4o","messages":[]}"#.utf8)
                )
                #expect(reply.status == 200)
                // The upstream got the real key: llmtrace passes keys through.
                #expect(upstream.state.withLock { $0.lastHeaders["authorization"] } == "Bearer \(secret)")
                let id = try #require(reply.headers.first(name: "x-llmtrace-id"))
                let record = try await HTTP.eventually("\(server.url)/api/requests/\(id)") { $0["complete"] as? Bool == true }
                let served = String(decoding: try JSONSerialization.data(withJSONObject: record), as: UTF8.self)
                #expect(!served.contains("TOPSECRET"))
                #expect(served.contains("WXYZ"))
                await server.stop()

                var bytes = Data()
                for suffix in ["", "-wal", "-shm"] {
                    if let d = FileManager.default.contents(atPath: db + suffix) { bytes.append(d) }
                }
                #expect(bytes.count > 0)
                let mode = try FileManager.default.attributesOfItem(atPath: db)[.posixPermissions] as? Int
                #expect(mode == 0o600)
                #expect(bytes.range(of: Data("TOPSECRET".utf8)) == nil)
                #expect(bytes.range(of: Data("<redacted:…WXYZ>".utf8)) != nil)
                #expect(!server.log.contains("TOPSECRET"))
            }
        }
    }

    @Test func killMinus9AfterNCompletedRequestsKeepsAllN() async throws {
        try await withTempDatabase { db, _ in
            try await withFakeUpstream { upstream in
                let n = 25
                let ids = try await withLLMTrace(["--db", db]) { first in
                    var ids: [String] = []
                    for i in 0..<n {
                        let reply = try await HTTP.send(
                            "\(upstream.route(via: first.url))/v1/chat/completions",
                            method: .POST,
                            body: Array(#"{"n":\#(i)}"#.utf8)
                        )
                        ids.append(try #require(reply.headers.first(name: "x-llmtrace-id")))
                    }
                    try await Task.sleep(for: .seconds(1))
                    await first.stop(signal: SIGKILL)
                    return ids
                }

                try await withLLMTrace(["--db", db]) { second in
                    let page = try await HTTP.send("\(second.url)/api/requests?limit=100").json()
                    let items = try #require(page["items"] as? [[String: Any]])
                    #expect(Set(items.compactMap { $0["id"] as? String }) == Set(ids))
                    #expect(items.allSatisfy { $0["complete"] as? Bool == true && $0["status"] as? Int == 200 })
                }
            }
        }
    }

    @Test func sigtermLetsAnInFlightStreamFinish() async throws {
        try await withTempDatabase { db, _ in
            // A grace far above the stream's second: on a loaded machine the stream and the final save can
            // take several, and the test is about finishing it, not about how fast.
            try await withUpstreamAndLLMTrace(["--db", db, "--shutdown-grace", "60"]) { upstream, server in
                async let reply = HTTP.send("\(upstream.route(via: server.url))/sse?n=20&delay=50")
                // SIGTERM once the server has the exchange in flight (a fixed sleep raced the connection
                // on a loaded machine: the signal could land before the request was accepted).
                _ = try await HTTP.eventually("\(server.url)/api/health", timeout: .seconds(30)) {
                    (($0["capture"] as? [String: Any])?["inFlight"] as? Int ?? 0) > 0
                }
                let status = await server.stop(signal: SIGTERM, timeout: .seconds(70))
                let finished = try await reply
                #expect(status == 0, "\(server.log)")
                #expect(finished.text.hasSuffix("data: [DONE]\n\n"))
                #expect(finished.text.components(separatedBy: "data: ").count == 22)

                try await withLLMTrace(["--db", db]) { again in
                    let page = try await HTTP.send("\(again.url)/api/requests").json()
                    let items = try #require(page["items"] as? [[String: Any]])
                    #expect(items.count == 1)
                    #expect(items.first?["complete"] as? Bool == true)
                }
            }
        }
    }

    @Test func flagsBeatTheConfigFileWhichBeatsTheEnvironment() async throws {
        try await withTempDirectory { dir in
            let env = ["LLMTRACE_DB": dir.appendingPathComponent("env.db").path]
            try await withLLMTrace(environment: env, directory: dir) { envOnly in
                #expect(envOnly.log.contains("store: \(dir.appendingPathComponent("env.db").path)"))
            }

            try "db: \(dir.appendingPathComponent("file.db").path)\n".write(
                to: dir.appendingPathComponent(".llmtracerc.yaml"),
                atomically: true,
                encoding: .utf8
            )
            let sub = dir.appendingPathComponent("project/src")
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            try await withLLMTrace(environment: env, directory: sub) { withFile in
                #expect(withFile.log.contains("store: \(dir.appendingPathComponent("file.db").path)"))
            }

            try await withLLMTrace(["--db", dir.appendingPathComponent("flag.db").path], environment: env, directory: sub) { withFlag in
                #expect(withFlag.log.contains("store: \(dir.appendingPathComponent("flag.db").path)"))
            }
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("flag.db").path))
        }
    }

    @Test func badConfigurationExitsWithAClearMessage() async throws {
        let (status, output) = try await LLMTraceProcess.runToEnd(["serve", "--port", "99999"])
        #expect(status != 0)
        #expect(output.contains("port '99999'"))
        let (vStatus, version) = try await LLMTraceProcess.runToEnd(["-v"])
        #expect(vStatus == 0)
        #expect(version.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    @Test func listeningOnAllInterfacesWithoutAPasswordWarns() async throws {
        try await withLLMTrace(["--host", "0.0.0.0"]) { server in
            try await Task.sleep(for: .milliseconds(100))
            #expect(server.log.contains("without --password"))
        }
    }
}
