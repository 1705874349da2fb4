import Foundation
import Testing

/// `llmtrace replay` against the real binary: the request goes again through the proxy with the key
/// from the environment now, another model, and is recorded linked to the original.
@Suite struct ReplayEndToEndTests {
    @Test func aReplayIsSentWithTheKeyGivenNowAndLinkedToTheOriginal() async throws {
        try await withUpstreamAndLLMTrace(["--db", ":memory:"]) { upstream, server in
            let original = try await HTTP.send(
                "\(upstream.route(via: server.url, env: "dev"))/v1/chat/completions",
                method: .POST,
                headers: [("content-type", "application/json"), ("authorization", "Bearer sk-original-key-0000000000000001")],
                body: Array(#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#.utf8)
            )
            let id = try #require(original.headers.first(name: "x-llmtrace-id"))
            _ = try await HTTP.eventually("\(server.url)/api/requests/\(id)") { $0["complete"] as? Bool == true }

            let key = "sk-replay-key-1111111111111111"
            let (status, output) = try await LLMTraceProcess.runToEnd(
                ["replay", id, "--server", server.url, "--model", "gpt-4o-mini"],
                environment: ["OPENAI_API_KEY": key, "COLUMNS": "90"]
            )
            #expect(status == 0, "\(output)")
            // Side by side: both columns, both answers.
            #expect(output.contains("original") && output.contains("│ replay"), "\(output)")
            #expect(output.components(separatedBy: "Hello there").count == 3, "\(output)")
            // The provider got the key given now, and nothing of llmtrace's.
            let seen = upstream.state.withLock { $0.lastHeaders }
            #expect(seen["authorization"] == "Bearer \(key)")
            #expect(seen["x-llmtrace-replay-of"] == nil)

            let list = try await HTTP.eventually("\(server.url)/api/requests?filter=~done") { ($0["items"] as? [Any])?.count == 2 }
            let replay = try #require((list["items"] as? [[String: Any]])?.first)
            #expect(replay["replayOf"] as? String == id)
            // An experiment on a turn, not a turn of the run: in no session unless one is named.
            #expect(replay["sessionId"] is NSNull)
            let record = try await HTTP.send("\(server.url)/api/requests/\(replay["id"] as? String ?? "")").json()
            let body = (record["requestBody"] as? [String: Any])?["content"] as? String ?? ""
            #expect(body.contains(#""model":"gpt-4o-mini""#), "\(body)")
            // The key is stored redacted, as every secret.
            #expect(!"\(record)".contains(key))

            // --edit: the body as the editor left it is sent (here the "editor" rewrites the prompt).
            let (edited, editOutput) = try await LLMTraceProcess.runToEnd(
                ["replay", id, "--server", server.url, "--edit", "--json"],
                environment: ["OPENAI_API_KEY": key, "VISUAL": "sed -i s/hi/bonjour/", "EDITOR": ""]
            )
            #expect(edited == 0, "\(editOutput)")
            let pair = try #require(try JSONSerialization.jsonObject(with: Data(editOutput.utf8)) as? [String: [String: Any]])
            let editedRecord = try await HTTP.send("\(server.url)/api/requests/\(pair["replay"]?["id"] as? String ?? "")").json()
            #expect(((editedRecord["requestBody"] as? [String: Any])?["content"] as? String)?.contains("bonjour") == true)
            #expect(editedRecord["replayOf"] as? String == id)
            // An editor that leaves broken JSON: nothing is sent.
            let (broken, brokenOutput) = try await LLMTraceProcess.runToEnd(
                ["replay", id, "--server", server.url, "--edit"],
                environment: ["OPENAI_API_KEY": key, "VISUAL": "sed -i s/{/[/"]
            )
            #expect(broken != 0 && brokenOutput.contains("not valid JSON"), "\(brokenOutput)")

            // Without a key: a clear message, nothing sent.
            let (refused, message) = try await LLMTraceProcess.runToEnd(["replay", id, "--server", server.url], environment: ["OPENAI_API_KEY": ""])
            #expect(refused != 0)
            #expect(message.contains("set OPENAI_API_KEY"), "\(message)")
            let (missing, notFound) = try await LLMTraceProcess.runToEnd(["replay", "0192f3a1c2d4-00a3f1b2", "--server", server.url, "--no-key"])
            #expect(missing != 0 && notFound.contains("no request with id"), "\(notFound)")
        }
    }
}
