import AsyncHTTPClient
import Foundation
import Synchronization
import Testing

/// The PostgreSQL server the cluster tests use, if any.
let clusterPostgresURL = ProcessInfo.processInfo.environment["LLMTRACE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

/// Several real `llmtrace serve` nodes on one real PostgreSQL database, and PostgreSQL going away under
/// load. Runs when `LLMTRACE_TEST_POSTGRES_URL` is set (`eval "$(scripts/dev-databases start)"`).
@Suite(
    .enabled(if: clusterPostgresURL != nil, "LLMTRACE_TEST_POSTGRES_URL is not set: the PostgreSQL cluster end-to-end tests are skipped"),
    .serialized
)
struct ClusterEndToEndTests {
    /// The test database's URL with a schema of its own, so nothing else on the database is seen.
    static func urlWithFreshSchema() throws -> String {
        let base = try #require(clusterPostgresURL)
        let schema = "llmtrace_e_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        return base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
    }

    /// The MySQL server the cluster tests use, if any.
    static let mysqlURL = ProcessInfo.processInfo.environment["LLMTRACE_TEST_MYSQL_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// PostgreSQL (a fresh schema), and MySQL when its test server is set (its test database, told apart by a fresh env).
    static let databases = ["postgres"] + (mysqlURL != nil ? ["mysql"] : [])

    @Test(arguments: databases) func anExchangeProxiedByOneNodeAppearsOnTheOther(engine: String) async throws {
        let db = try engine == "postgres" ? Self.urlWithFreshSchema() : try #require(Self.mysqlURL)
        let env = "cluster" + UUID().uuidString.prefix(8).lowercased()
        try await withFakeUpstream { upstream in
            try await withLLMTrace(["--db", db]) { a in
                try await withLLMTrace(["--db", db]) { b in
                    try await withTail(["tail", "--json", "--server", b.url, "--env", env]) { tail in
                        try await tail.waitFor("connected to")
                        try await Task.sleep(for: .milliseconds(500))  // b's LISTEN is up
                        let sent = ContinuousClock.now
                        let reply = try await HTTP.send(
                            "\(upstream.route(via: a.url, env: env))/v1/chat/completions",
                            method: .POST,
                            body: Array(#"{"model":"gpt-4o"}"#.utf8)
                        )
                        let id = try #require(reply.headers.first(name: "x-llmtrace-id"))
                        // tail on node b prints node a's completed exchange.
                        let line = try #require(try await tail.waitForLines(1).first)
                        let seenAfter = ContinuousClock.now - sent
                        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                        #expect(object["id"] as? String == id)
                        #expect(object["env"] as? String == env)
                        #expect(object["model"] as? String == "gpt-4o-2024-08-06")
                        print("\(engine): node b's tail printed node a's exchange \(seenAfter) after it was sent")
                    }
                    // Lists and statistics on either node count both nodes' traffic.
                    _ = try await HTTP.send(
                        "\(upstream.route(via: b.url, env: env))/v1/chat/completions",
                        method: .POST,
                        body: Array("{}".utf8)
                    )
                    for node in [a, b] {
                        let page = try await HTTP.eventually("\(node.url)/api/requests?env=\(env)") { ($0["items"] as? [Any])?.count == 2 }
                        #expect((page["items"] as? [Any])?.count == 2)
                        let stats = try await HTTP.send("\(node.url)/api/stats?env=\(env)").json()
                        #expect(stats["totalRequests"] as? Int == 2)
                    }
                    // An event id from node a means nothing on node b: resuming there says resync.
                    let health = try await HTTP.send("\(b.url)/api/health").json()
                    #expect((health["cluster"] as? [String: Any])?["following"] as? Bool == true)
                    let resumed = try await HTTP.firstEvent("\(b.url)/api/events", lastEventID: "1")
                    #expect(resumed?.hasPrefix("event: resync") == true, "\(resumed ?? "nothing")")
                }
            }
        }
    }

    /// Starts a PostgreSQL server of its own (through scripts/dev-databases, on a free port), captures
    /// traffic into it, stops it for 5 s under load and starts it again: every proxied call succeeds
    /// meanwhile, health says degraded with the reason, and every exchange is saved in the end.
    @Test func postgresStoppedForFiveSecondsUnderLoadLosesNothing() async throws {
        try await withTempDirectory { dir in
            let port = try freePort()
            let env = ["LLMTRACE_DEV_DB_DIR": dir.path, "LLMTRACE_DEV_PG_PORT": "\(port)"]
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/dev-databases")
                .standardizedFileURL.path
            func databases(_ command: String) async throws -> String {
                let (status, output) = try await runCommand(
                    URL(fileURLWithPath: "/bin/bash"),
                    [script, command, "postgres"],
                    environment: ProcessInfo.processInfo.environment.merging(env) { $1 }
                )
                try #require(status == 0, "scripts/dev-databases \(command) postgres failed:\n\(output)")
                return output
            }
            let exports = try await databases("start")
            defer { Task { _ = try? await databases("clean") } }
            let url = try #require(
                exports.split(separator: "\n").first { $0.contains("LLMTRACE_TEST_POSTGRES_URL=") }?.split(separator: "=", maxSplits: 1).last
            )
            try await withFakeUpstream { upstream in
                // connect_timeout=1: a save waiting for a connection gives up after 6 s and is tried again.
                try await withLLMTrace(["--db", String(url) + "&connect_timeout=1"]) { server in
                    let ids = Shared<[String]>([])
                    let failures = Shared(0)
                    let running = Shared(true)
                    let load = (0..<8).map { _ in
                        Task {
                            while running.withLock({ $0 }) {
                                do {
                                    let reply = try await HTTP.send(
                                        "\(upstream.route(via: server.url, env: "outage"))/v1/chat/completions",
                                        method: .POST,
                                        body: Array(#"{"model":"gpt-4o"}"#.utf8)
                                    )
                                    if reply.status == 200, let id = reply.headers.first(name: "x-llmtrace-id") {
                                        ids.withLock { $0.append(id) }
                                    } else {
                                        failures.withLock { $0 += 1 }
                                    }
                                } catch {
                                    failures.withLock { $0 += 1 }
                                }
                            }
                        }
                    }
                    try await Task.sleep(for: .seconds(1))
                    _ = try await databases("stop")
                    // Health says why, and that the records wait.
                    let health = try await HTTP.eventually("\(server.url)/api/health", timeout: .seconds(20)) {
                        ($0["reason"] as? String ?? "").contains("wait in memory")
                    }
                    #expect(health["status"] as? String == "degraded")
                    #expect((health["reason"] as? String ?? "").contains("captured records are not being saved: PostgreSQL"), "\(health)")
                    try await Task.sleep(for: .seconds(5))
                    let duringOutage = ids.withLock { $0.count }
                    _ = try await databases("start")
                    try await Task.sleep(for: .seconds(1))
                    running.withLock { $0 = false }
                    for task in load { await task.value }
                    let sent = ids.withLock { $0 }
                    #expect(failures.withLock { $0 } == 0)
                    #expect(duringOutage > 0)
                    // Everything waiting is written once PostgreSQL is back: nothing completed is lost.
                    let after = try await HTTP.eventually("\(server.url)/api/health", timeout: .seconds(60)) {
                        $0["records"] as? Int == sent.count && $0["status"] as? String == "ok"
                    }
                    let capture = try #require(after["capture"] as? [String: Any])
                    #expect(capture["dropped"] as? Int == 0)
                    #expect(capture["storeFailures"] as? Int == 0)
                    #expect((capture["storeRetries"] as? Int ?? 0) > 0)
                    #expect(after["records"] as? Int == sent.count)
                    let stats = try await HTTP.send("\(server.url)/api/stats?env=outage").json()
                    #expect(stats["totalRequests"] as? Int == sent.count)
                    print("outage: \(sent.count) calls proxied, \(duringOutage) before PostgreSQL came back; all saved")
                }
            }
        }
    }
}
