import Foundation
import Testing

/// `--max-records` and `--retain` through the real binary: old records go in the background.
@Suite struct RetentionEndToEndTests {
    @Test(arguments: ["sqlite", "memory"])
    func maxRecordsDeletesTheOldestInTheBackground(store: String) async throws {
        try await withTempDatabase { path, _ in
            let db = store == "sqlite" ? ["--db", path] : []
            try await withUpstreamAndLLMTrace(db + ["--max-records", "5", "--prune-interval", "0.2"]) { upstream, server in
                var ids: [String] = []
                for i in 0..<12 {
                    let reply = try await HTTP.send(
                        "\(upstream.route(via: server.url))/v1/chat/completions",
                        method: .POST,
                        body: Array(#"{"n":\#(i)}"#.utf8)
                    )
                    #expect(reply.status == 200)
                    ids.append(try #require(reply.headers.first(name: "x-llmtrace-id")))
                }
                let newest = Array(ids.suffix(5))
                // Saving and pruning happen off the request path: poll until only the newest 5 are left.
                let page = try await HTTP.eventually("\(server.url)/api/requests?limit=100", timeout: .seconds(30)) { page in
                    let items = page["items"] as? [[String: Any]] ?? []
                    return items.compactMap { $0["id"] as? String } == newest.reversed()
                }
                #expect((page["items"] as? [[String: Any]])?.count == 5)
                let health = try await HTTP.send("\(server.url)/api/health").json()
                let retention = try #require(health["retention"] as? [String: Any])
                #expect(retention["maxRecords"] as? Int == 5)
                #expect(retention["retainSeconds"] is NSNull)
                #expect((retention["pruned"] as? Int ?? 0) >= 7)
                #expect(health["records"] as? Int == 5)
            }
        }
    }

    @Test func badRetentionValuesStopTheServerWithAClearMessage() async throws {
        let (status, output) = try await LLMTraceProcess.runToEnd(["serve", "--no-socket", "--port", "0", "--retain", "30"])
        #expect(status != 0)
        #expect(output.contains("'30' is not a retention period"))
        let (status2, output2) = try await LLMTraceProcess.runToEnd(
            ["serve", "--no-socket", "--port", "0"],
            environment: ["LLMTRACE_MAX_RECORDS": "none"]
        )
        #expect(status2 != 0)
        #expect(output2.contains("LLMTRACE_MAX_RECORDS: max records 'none' must be a positive whole number"))
    }

    @Test func healthReportsRetentionSettings() async throws {
        try await withLLMTrace(["--retain", "30d"]) { server in
            let health = try await HTTP.send("\(server.url)/api/health").json()
            let retention = try #require(health["retention"] as? [String: Any])
            #expect(retention["retainSeconds"] as? Double == 2_592_000.0)
            #expect(retention["maxRecords"] is NSNull)
            #expect(retention["pruned"] as? Int == 0)
        }
    }
}
