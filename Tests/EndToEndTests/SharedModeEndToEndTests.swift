import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// `llmtrace serve --mode shared` as a real process on a real PostgreSQL database: bootstrap from the
/// command line, two teams with their environments and members, traffic into both, and every read path
/// refusing cross-team access.
@Suite(.enabled(if: clusterPostgresURL != nil, "LLMTRACE_TEST_POSTGRES_URL is not set: the shared-mode end-to-end test is skipped"))
struct SharedModeEndToEndTests {
    /// A JSON call; the reply's status and JSON object.
    static func call(
        _ method: HTTPMethod,
        _ url: String,
        token: String? = nil,
        body: [String: Any]? = nil,
        headers: [(String, String)] = []
    ) async throws -> (status: Int, json: [String: Any]) {
        var all = headers
        if let token { all.append(("authorization", "Bearer \(token)")) }
        if body != nil { all.append(("content-type", "application/json")) }
        let reply = try await HTTP.send(
            url,
            method: method,
            headers: all,
            body: try body.map { Array(try JSONSerialization.data(withJSONObject: $0)) }
        )
        let json = (try? JSONSerialization.jsonObject(with: Data(reply.body))) as? [String: Any] ?? [:]
        return (reply.status, json)
    }

    static func items(_ json: [String: Any]) -> [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }

    /// The MariaDB client, to make a fresh database for the MySQL case.
    static let mariadbClient = ["/usr/bin/mariadb", "/usr/bin/mysql"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// PostgreSQL (a fresh schema), and MariaDB when its test server and a client are there (a fresh database).
    static let engines = ["postgres"] + (ClusterEndToEndTests.mysqlURL != nil && mariadbClient != nil ? ["mysql"] : [])

    /// A fresh database URL of `engine`, and how to drop it.
    static func freshDatabase(_ engine: String) async throws -> (String, () async -> Void) {
        guard engine == "mysql" else { return (try ClusterEndToEndTests.urlWithFreshSchema(), {}) }
        let base = try #require(ClusterEndToEndTests.mysqlURL)
        let url = try #require(URLComponents(string: base))
        let name = "llmtrace_t_e" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        let client = URL(fileURLWithPath: try #require(mariadbClient))
        func run(_ sql: String) async throws -> (Int32, String) {
            try await runCommand(
                client,
                ["-h", url.host ?? "127.0.0.1", "-P", "\(url.port ?? 3306)", "-u", url.user ?? "root", "--skip-ssl", "-e", sql],
                environment: ["MYSQL_PWD": url.password ?? "", "PATH": "/usr/bin:/bin"]
            )
        }
        let (status, output) = try await run("CREATE DATABASE `\(name)` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        try #require(status == 0, "\(output)")
        var fresh = url
        fresh.path = "/\(name)"
        return (try #require(fresh.string), { _ = try? await run("DROP DATABASE IF EXISTS `\(name)`") })
    }

    @Test(arguments: engines) func twoTeamsSeeOnlyTheirOwnTrafficOnEveryReadPath(engine: String) async throws {
        let (db, drop) = try await Self.freshDatabase(engine)
        try await withTeardown(db, teardown: { _ in await drop() }) { db in try await scenario(db) }
    }

    func scenario(_ db: String) async throws {
        // Shared mode refuses memory and SQLite, saying what to use.
        let (refusedStatus, refused) = try await LLMTraceProcess.runToEnd(["serve", "--mode", "shared", "--port", "0", "--no-socket"])
        #expect(refusedStatus != 0 && refused.contains("postgres://"), "\(refused)")
        // Bootstrap once; a second time is refused.
        let (status, output) = try await LLMTraceProcess.runToEnd(
            ["admin", "bootstrap", "--email", "root@example.com", "--password-stdin", "--db", db],
            input: "root-password\n"
        )
        #expect(status == 0, "\(output)")
        let (again, againOutput) = try await LLMTraceProcess.runToEnd(
            ["admin", "bootstrap", "--email", "other@example.com", "--password-stdin", "--db", db],
            input: "other-password\n"
        )
        #expect(again != 0 && againOutput.contains("exists already"), "\(againOutput)")

        try await withFakeUpstream { upstream in
            try await withLLMTrace(["--mode", "shared", "--db", db]) { server in
                let base = server.url
                let login = try await Self.call(.POST, "\(base)/admin/login", body: ["email": "root@example.com", "password": "root-password"])
                #expect(login.status == 200, "\(login.json)")
                let root = try #require(login.json["accessToken"] as? String)
                var teams: [String: String] = [:]
                var tokens: [String: String] = [:]
                for slug in ["alpha", "beta"] {
                    let team = try await Self.call(.POST, "\(base)/admin/teams", token: root, body: ["slug": slug, "name": slug])
                    #expect(team.status == 201, "\(team.json)")
                    teams[slug] = try #require(team.json["id"] as? String)
                    let invited = try await Self.call(
                        .POST,
                        "\(base)/admin/teams/\(teams[slug] ?? "")/users",
                        token: root,
                        body: ["email": "\(slug)-admin@example.com", "role": "admin"]
                    )
                    let inviteToken = try #require((invited.json["invite"] as? [String: Any])?["token"] as? String)
                    let accepted = try await Self.call(
                        .POST,
                        "\(base)/admin/invites/accept",
                        body: ["token": inviteToken, "password": "\(slug)-password"]
                    )
                    #expect(accepted.status == 200, "\(accepted.json)")
                    tokens[slug] = try #require(accepted.json["accessToken"] as? String)
                }
                let alpha = try #require(tokens["alpha"])
                let beta = try #require(tokens["beta"])
                #expect(
                    try await Self.call(
                        .POST,
                        "\(base)/admin/environments",
                        token: alpha,
                        body: ["envId": "alpha-env", "teamId": teams["alpha"] ?? ""]
                    ).status == 201
                )
                let betaEnv = try await Self.call(
                    .POST,
                    "\(base)/admin/environments",
                    token: beta,
                    body: ["envId": "beta-env", "teamId": teams["beta"] ?? "", "requireKey": true]
                )
                let key = try #require(betaEnv.json["ingestKey"] as? String)

                // Alpha's events stream, opened before the traffic: it must never carry beta's exchange.
                let events = Task { try await Self.readEvents("\(base)/api/events?token=\(alpha)", until: "alpha-env", seconds: 20) }
                try await Task.sleep(for: .milliseconds(500))

                // Traffic: unknown environments and a missing key are refused and not forwarded.
                let unknown = try await HTTP.send(
                    "\(upstream.route(via: base, env: "nobody"))/v1/chat/completions",
                    method: .POST,
                    body: Array("{}".utf8)
                )
                #expect(unknown.status == 404 && unknown.text.contains("unknown_environment"))
                let keyless = try await HTTP.send(
                    "\(upstream.route(via: base, env: "beta-env"))/v1/chat/completions",
                    method: .POST,
                    body: Array("{}".utf8)
                )
                #expect(keyless.status == 401 && keyless.text.contains("invalid_ingest_key"))
                let body = Array(#"{"model":"gpt-4o"}"#.utf8)
                let betaReply = try await HTTP.send(
                    "\(upstream.route(via: base, env: "beta-env:\(key)"))/v1/chat/completions",
                    method: .POST,
                    body: body
                )
                #expect(betaReply.status == 200)
                let betaID = try #require(betaReply.headers.first(name: "x-llmtrace-id"))
                // The key in a header works too, and is not forwarded.
                let viaHeader = try await HTTP.send(
                    "\(upstream.route(via: base, env: "beta-env"))/v1/chat/completions",
                    method: .POST,
                    headers: [("x-llmtrace-key", key)],
                    body: body
                )
                #expect(viaHeader.status == 200)
                let forwarded = upstream.state.withLock { $0.lastHeaders }
                #expect(forwarded["x-llmtrace-key"] == nil && !forwarded.values.contains { $0.contains(key) })
                let viaHeaderID = try #require(viaHeader.headers.first(name: "x-llmtrace-id"))
                try await Task.sleep(for: .milliseconds(300))
                let alphaReply = try await HTTP.send("\(upstream.route(via: base, env: "alpha-env"))/v1/chat/completions", method: .POST, body: body)
                let alphaID = try #require(alphaReply.headers.first(name: "x-llmtrace-id"))
                let seen = try await events.value
                #expect(seen.contains(alphaID), "alpha's stream: \(seen.prefix(2000))")
                #expect(!seen.contains(betaID) && !seen.contains(viaHeaderID) && !seen.contains("beta-env"), "beta's exchange reached alpha's stream")

                // Every read path, for both teams.
                for (team, own, other, count) in [(alpha, alphaID, betaID, 1), (beta, betaID, alphaID, 2)] {
                    let list = try await HTTP.eventually("\(base)/api/requests", headers: [("authorization", "Bearer \(team)")]) {
                        Self.items($0).count == count
                    }
                    #expect(Self.items(list).contains { $0["id"] as? String == own })
                    #expect(try await Self.call(.GET, "\(base)/api/requests/\(other)", token: team).status == 404)
                    #expect(try await Self.call(.GET, "\(base)/api/requests/\(own)", token: team).status == 200)
                    #expect(try await Self.call(.GET, "\(base)/cgi-bin/request/\(other)", token: team).status == 404)
                    #expect(Self.items(try await Self.call(.GET, "\(base)/cgi-bin/requests", token: team).json).count == count)
                    let stats = try await Self.call(.GET, "\(base)/api/stats", token: team).json
                    #expect((stats["envBreakdown"] as? [[String: Any]])?.count == 1, "\(stats)")
                    #expect(try await Self.call(.GET, "\(base)/api/timeseries?bucket=1h&since=1d", token: team).status == 200)
                }
                // Nothing without a token; the system administrator sees both.
                #expect(try await Self.call(.GET, "\(base)/api/requests").status == 401)
                #expect(try await Self.call(.GET, "\(base)/cgi-bin/requests").status == 401)
                #expect(try await Self.call(.GET, "\(base)/api/events").status == 401)
                #expect(Self.items(try await Self.call(.GET, "\(base)/api/requests", token: root).json).count == 3)
                // The key was neither forwarded nor recorded.
                let record = try await HTTP.send("\(base)/api/requests/\(betaID)", headers: [("authorization", "Bearer \(beta)")])
                #expect(record.status == 200 && !record.text.contains(key))
                let headerRecord = try await HTTP.send("\(base)/api/requests/\(viaHeaderID)", headers: [("authorization", "Bearer \(beta)")])
                #expect(headerRecord.status == 200 && !headerRecord.text.contains(key))
                // Clearing: alpha's admin clears only alpha's records.
                #expect(try await Self.call(.DELETE, "\(base)/api/requests", token: alpha).json["cleared"] as? Int == 1)
                #expect(Self.items(try await Self.call(.GET, "\(base)/api/requests", token: beta).json).count == 2)
            }
        }
        // The operator's view from the command line.
        let (usersStatus, users) = try await LLMTraceProcess.runToEnd(["admin", "users", "list", "--db", db])
        #expect(usersStatus == 0 && users.contains("alpha-admin@example.com") && users.contains("system-admin"), "\(users)")
        let (teamsStatus, teamList) = try await LLMTraceProcess.runToEnd(["admin", "teams", "list", "--db", db])
        #expect(teamsStatus == 0 && teamList.contains("alpha") && teamList.contains("beta"), "\(teamList)")
    }

    /// The text of an event stream, read until it contains `marker` or `seconds` pass.
    static func readEvents(_ url: String, until marker: String, seconds: Int) async throws -> String {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "accept", value: "text/event-stream")
        let response = try await HTTP.client.execute(request, timeout: .seconds(Int64(seconds)))
        var text = ""
        let deadline = ContinuousClock.now + .seconds(seconds)
        for try await chunk in response.body {
            text += String(buffer: chunk)
            if text.contains("request.completed") && text.contains(marker) { break }
            if ContinuousClock.now > deadline { break }
        }
        return text
    }
}
