import Foundation
import Testing

/// Sessions against the real binary: two 30-turn agent runs (the same system prompt, interleaved) through
/// the proxy are grouped into two sessions with the right turns and totals; sessions named by header and
/// by route; a bad session name refused; and the turn-by-turn diff of captured turns.
@Suite struct SessionsEndToEndTests {
    /// One agent run of `turns` turns: each answer's tool call goes back with its result, as an agent loop
    /// sends it. Returns the record id of every turn.
    static func agentRun(_ task: String, turns: Int, server: String, upstream: Int, temperatureFrom: Int = .max) async throws -> [String] {
        var messages: [[String: Any]] = [
            ["role": "system", "content": "You are a coding agent. Use the tools."],
            ["role": "user", "content": task],
        ]
        var ids: [String] = []
        for turn in 1...turns {
            var request: [String: Any] = ["model": "gpt-4o", "messages": messages, "tools": [Self.readFile]]
            if turn >= temperatureFrom { request["temperature"] = 0.2 }
            let reply = try await HTTP.send(
                "\(server)/proxy/dev/http/127.0.0.1:\(upstream)/agent/v1/chat/completions",
                method: .POST,
                headers: [("content-type", "application/json")],
                body: Array(try JSONSerialization.data(withJSONObject: request))
            )
            #expect(reply.status == 200)
            ids.append(reply.headers.first(name: "x-llmtrace-id") ?? "")
            let answer = try #require(try reply.json()["choices"] as? [[String: Any]]).first?["message"] as? [String: Any] ?? [:]
            messages.append(answer)
            for call in answer["tool_calls"] as? [[String: Any]] ?? [] {
                messages.append(["role": "tool", "tool_call_id": call["id"] ?? "", "content": "contents of a file"])
            }
        }
        return ids
    }

    static var readFile: [String: Any] {
        [
            "type": "function",
            "function": ["name": "read_file", "parameters": ["type": "object", "properties": ["path": ["type": "string"]]]],
        ]
    }

    @Test func twoInterleavedAgentRunsAreTwoSessionsWithTheirTotals() async throws {
        try await withUpstreamAndLLMTrace(["--db", ":memory:"]) { upstream, server in
            async let a = Self.agentRun("fix-the-bug", turns: 30, server: server.url, upstream: upstream.port)
            async let b = Self.agentRun("write-docs", turns: 30, server: server.url, upstream: upstream.port, temperatureFrom: 7)
            let (runA, runB) = try await (a, b)
            let list = try await HTTP.eventually("\(server.url)/api/sessions", timeout: .seconds(10)) {
                ($0["items"] as? [[String: Any]])?.map { $0["turns"] as? Int ?? 0 } == [30, 30]
            }
            let items = try #require(list["items"] as? [[String: Any]])
            #expect(Set(items.compactMap { $0["id"] as? String }) == [runA[0], runB[0]])
            for item in items {
                // Σ 100 × 2k prompt tokens over k = 1…30, and 10 completion tokens a turn.
                #expect(item["inputTokens"] as? Int == 93_000)
                #expect(item["outputTokens"] as? Int == 300)
                #expect(item["totalTokens"] as? Int == 93_300)
                #expect(item["errors"] as? Int == 0)
                #expect(item["models"] as? [String] == ["gpt-4o-2024-08-06"])
                #expect((item["cost"] as? Double ?? 0) > 0)
                #expect(item["env"] as? String == "dev")
            }

            let detail = try await HTTP.send("\(server.url)/api/sessions/\(runA[0])").json()
            let turns = try #require(detail["turns"] as? [[String: Any]])
            #expect(turns.compactMap { $0["id"] as? String } == runA)
            #expect(turns.compactMap { $0["turn"] as? Int } == Array(1...30))
            #expect(turns.allSatisfy { $0["sessionId"] as? String == runA[0] })
            #expect((detail["session"] as? [String: Any])?["turns"] as? Int == 30)

            // The cost report by session: one row per run, with the session's own totals.
            let report = try await HTTP.send("\(server.url)/api/report?by=session").json()
            let rows = try #require(report["rows"] as? [[String: Any]])
            #expect(Set(rows.compactMap { $0["key"] as? String }) == [runA[0], runB[0]])
            for row in rows {
                let session = items.first { $0["id"] as? String == row["key"] as? String }
                #expect(row["requests"] as? Int == 30 && row["inputTokens"] as? Int == 93_000)
                #expect(abs((row["cost"] as? Double ?? 0) - (session?["cost"] as? Double ?? -1)) < 1e-9)
            }
            let (status, table) = try await LLMTraceProcess.runToEnd(["report", "--by", "session", "--server", server.url])
            #expect(status == 0 && table.contains(runA[0]) && table.contains("Total"), "\(table)")

            // The filter language finds a session's turns.
            let filtered = try await HTTP.send("\(server.url)/api/requests?limit=100&filter=~session%20\(runB[0])").json()
            #expect((filtered["items"] as? [[String: Any]])?.count == 30)

            // Turn 12 of run A added the answer of turn 11 and its tool result, nothing else.
            let diff = try await HTTP.send("\(server.url)/api/requests/\(runA[11])/diff").json()
            #expect(diff["previousId"] as? String == runA[10])
            #expect(diff["commonMessages"] as? Int == 22)
            let added = try #require(diff["added"] as? [[String: Any]])
            #expect(added.map { $0["role"] as? String } == ["assistant", "tool"])
            #expect((added[0]["text"] as? String)?.hasPrefix("→ read_file(") == true)
            #expect(added[1]["text"] as? String == "contents of a file")
            #expect((diff["removed"] as? [Any])?.isEmpty == true && (diff["parameters"] as? [Any])?.isEmpty == true)
            #expect(diff["system"] is NSNull)

            // Run B's turn 7 set a temperature: the diff says so.
            let changed = try await HTTP.send("\(server.url)/api/requests/\(runB[6])/diff").json()
            let parameters = try #require(changed["parameters"] as? [[String: Any]])
            #expect(parameters.count == 1)
            #expect(parameters.first?["name"] as? String == "temperature")
            #expect(parameters.first?["before"] as? String == "null" && parameters.first?["after"] as? String == "0.2")

            // A first turn diffs against nothing: all of its messages are added.
            let first = try await HTTP.send("\(server.url)/api/requests/\(runA[0])/diff").json()
            #expect(first["previousId"] is NSNull)
            #expect((first["added"] as? [Any])?.count == 2)
        }
    }

    @Test func sessionsNamedByHeaderAndByRouteAndABadNameRefused() async throws {
        try await withUpstreamAndLLMTrace(["--db", ":memory:"]) { upstream, server in
            let body = Array(#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#.utf8)
            let base = "\(server.url)/proxy/dev/http/127.0.0.1:\(upstream.port)/v1/chat/completions"
            var named: [String] = []
            for _ in 0..<3 {
                let reply = try await HTTP.send(
                    base,
                    method: .POST,
                    headers: [("content-type", "application/json"), ("x-llmtrace-session", "nightly-eval.7")],
                    body: body
                )
                #expect(reply.status == 200)
                named.append(reply.headers.first(name: "x-llmtrace-id") ?? "")
                // The header is llmtrace's: the provider never sees it.
                #expect(upstream.state.withLock { $0.lastHeaders["x-llmtrace-session"] } == nil)
            }
            let routed = try await HTTP.send(
                "\(server.url)/proxy/dev+pr-1234/http/127.0.0.1:\(upstream.port)/v1/chat/completions",
                method: .POST,
                headers: [("content-type", "application/json")],
                body: body
            )
            #expect(routed.status == 200)
            #expect(upstream.state.withLock { $0.lastHeaders["host"] } == "127.0.0.1:\(upstream.port)")

            let bad = try await HTTP.send(
                base,
                method: .POST,
                headers: [("content-type", "application/json"), ("x-llmtrace-session", "my session!")],
                body: body
            )
            #expect(bad.status == 400)
            let message = (try bad.json()["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("invalid session 'my session!'"), "\(message)")

            let detail = try await HTTP.eventually("\(server.url)/api/sessions/nightly-eval.7") {
                ($0["turns"] as? [[String: Any]])?.count == 3
            }
            let turns = try #require(detail["turns"] as? [[String: Any]])
            #expect(turns.compactMap { $0["id"] as? String } == named)
            #expect(turns.compactMap { $0["turn"] as? Int } == [1, 2, 3])
            let pr = try await HTTP.eventually("\(server.url)/api/sessions/pr-1234") { ($0["turns"] as? [Any])?.count == 1 }
            #expect(((pr["turns"] as? [[String: Any]])?.first?["env"] as? String) == "dev")
            #expect(try await HTTP.send("\(server.url)/api/sessions/no-such-session").status == 404)
            // Only sessions of more than one turn.
            let multi = try await HTTP.send("\(server.url)/api/sessions?minTurns=2").json()
            #expect((multi["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["nightly-eval.7"])
            #expect(try await HTTP.send("\(server.url)/api/sessions?minTurns=0").status == 400)
        }
    }
}
