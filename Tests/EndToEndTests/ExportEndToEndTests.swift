import Foundation
import Testing

/// `llmtrace export` and `GET /api/export` against the real binary: 2 500 records (three pages of the
/// store) exported as CSV are read back by Python's `csv` module and checked cell by cell against the
/// JSON API; JSON and JSON Lines hold the same records; filters and bad parameters behave.
@Suite struct ExportEndToEndTests {
    static let total = 2_500

    @Test func anExportMatchesTheAPICellByCell() async throws {
        try await withUpstreamAndLLMTrace(["--db", ":memory:", "--memory-limit", "10000"]) { upstream, server in
            // 2 500 exchanges through the proxy, 8 at a time, in two envs.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        for i in stride(from: worker, to: Self.total, by: 8) {
                            let env = i % 5 == 0 ? "batch" : "dev"
                            let reply = try await HTTP.send(
                                "\(server.url)/proxy/\(env)/http/127.0.0.1:\(upstream.port)/v1/chat/completions",
                                method: .POST,
                                headers: [("content-type", "application/json")],
                                body: Array(#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#.utf8)
                            )
                            #expect(reply.status == 200)
                        }
                    }
                }
                try await group.waitForAll()
            }
            _ = try await HTTP.eventually("\(server.url)/api/stats", timeout: .seconds(30)) { $0["totalRequests"] as? Int == Self.total }

            try await withTempDirectory { dir in
                let csv = dir.appendingPathComponent("all.csv").path
                let (status, output) = try await LLMTraceProcess.runToEnd(["export", "--server", server.url, "-o", csv])
                #expect(status == 0, "\(output)")
                let script = """
                    import csv, json, sys, urllib.request
                    base, path = sys.argv[1], sys.argv[2]
                    items, cursor = [], None
                    while True:
                        page = json.load(urllib.request.urlopen(base + "/api/requests?limit=1000" + ("&cursor=" + cursor if cursor else "")))
                        items += page["items"]
                        cursor = page.get("nextCursor")
                        if not cursor: break
                    rows = list(csv.DictReader(open(path, newline="", encoding="utf-8")))
                    assert len(rows) == len(items), (len(rows), len(items))
                    text = lambda v: "" if v is None else str(v)
                    for row, item in zip(rows, items):
                        usage = item["usage"]
                        expected = {
                            "id": item["id"], "startedAt": item["startedAt"], "env": item["env"], "method": item["method"],
                            "scheme": item["scheme"], "host": item["host"], "path": item["path"], "query": text(item["query"]),
                            "provider": text(item["provider"]), "endpoint": text(item["endpoint"]), "model": text(item["model"]),
                            "stream": "true" if item["stream"] else "false", "status": text(item["status"]),
                            "inputTokens": text(usage["inputTokens"]), "outputTokens": text(usage["outputTokens"]),
                            "totalTokens": text(usage["totalTokens"]), "finishReason": text(item["finishReason"]),
                            "complete": "true" if item["complete"] else "false", "text": text(item["text"]),
                        }
                        for key, value in expected.items():
                            assert row[key] == value, (item["id"], key, row[key], value)
                        assert (float(row["cost"]) if row["cost"] else None) == item["estimatedCost"], (row["cost"], item["estimatedCost"])
                        assert (float(row["durationMs"]) if row["durationMs"] else None) == item["durationMs"]
                    print("checked", len(rows))
                    """
                let (checkStatus, checked) = try await runCommand(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, server.url, csv])
                #expect(checkStatus == 0 && checked.contains("checked \(Self.total)"), "\(checked)")

                // JSON and JSON Lines: the same records; a filter keeps only its own.
                let json = try await HTTP.send("\(server.url)/api/export?format=json&fields=id,env,model")
                #expect(json.headers.first(name: "content-type") == "application/json")
                let array = try #require(try JSONSerialization.jsonObject(with: Data(json.text.utf8)) as? [[String: Any]])
                #expect(array.count == Self.total)
                #expect(array.allSatisfy { $0.count == 3 && $0["model"] as? String == "gpt-4o-2024-08-06" })
                let jsonl = dir.appendingPathComponent("batch.jsonl").path
                let (batchStatus, batchOutput) = try await LLMTraceProcess.runToEnd([
                    "export", "--server", server.url, "--env", "batch", "--with-bodies", "--fields", "id,env,responseBody", "-o", jsonl,
                ])
                #expect(batchStatus == 0, "\(batchOutput)")
                let lines = try String(contentsOfFile: jsonl, encoding: .utf8).split(separator: "\n")
                #expect(lines.count == Self.total / 5)
                let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
                #expect(first["env"] as? String == "batch" && first["responseBody"] as? String == FakeUpstream.json)

                let bad = try await HTTP.send("\(server.url)/api/export?format=xml")
                #expect(bad.status == 400 && bad.text.contains("csv, json or jsonl"), "\(bad.text)")
                let (fieldStatus, fieldOutput) = try await LLMTraceProcess.runToEnd(["export", "--server", server.url, "--fields", "id,secret"])
                #expect(fieldStatus != 0 && fieldOutput.contains("unknown field 'secret'"), "\(fieldOutput)")
            }
        }
    }
}
