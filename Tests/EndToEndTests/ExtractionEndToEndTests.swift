import Foundation
import Testing

/// What llmtrace understands of real proxied traffic: usage, cost, text, tool calls, live deltas.
@Suite struct ExtractionEndToEndTests {
    @Test func anOpenAIStreamIsUnderstood() async throws {
        try await withUpstreamAndLLMTrace { upstream, server in
            let reply = try await HTTP.send(
                "\(upstream.route(via: server.url))/v1/chat/completions",
                method: .POST,
                headers: [("content-type", "application/json")],
                body: Array(#"{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[]}"#.utf8)
            )
            let id = try #require(reply.headers.first(name: "x-llmtrace-id"))
            let r = try await HTTP.eventually("\(server.url)/api/requests/\(id)") { $0["complete"] as? Bool == true }
            #expect(r["endpoint"] as? String == "chat.completions")
            #expect(r["model"] as? String == "gpt-4o-mini-2024-07-18")
            #expect(r["stream"] as? Bool == true)
            #expect(r["text"] as? String == "Checking the weather.")
            #expect(r["finishReason"] as? String == "tool_calls")
            let usage = try #require(r["usage"] as? [String: Any])
            #expect(usage["inputTokens"] as? Int == 1200)
            #expect(usage["outputTokens"] as? Int == 40)
            #expect(usage["cachedInputTokens"] as? Int == 1024)
            #expect(usage["reasoningTokens"] as? Int == 0)
            #expect(usage["totalTokens"] as? Int == 1240)
            let calls = try #require(r["toolCalls"] as? [[String: Any]])
            #expect(calls.count == 1)
            #expect(calls.first?["name"] as? String == "get_weather")
            #expect(calls.first?["arguments"] as? String == #"{"city":"Paris"}"#)
            // The cost agrees with `llmtrace cost` for the same tokens.
            let cost = try #require(r["estimatedCost"] as? Double)
            let (status, out) = try await LLMTraceProcess.runToEnd([
                "cost", "--model", "gpt-4o-mini-2024-07-18", "--prompt", "1200", "--completion", "40", "--cached", "1024", "--json",
            ])
            #expect(status == 0)
            let expected = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])["estimatedCost"] as? Double
            #expect(abs(cost - (expected ?? -1)) < 1e-12)
            #expect((r["ttftMs"] as? Double ?? 0) <= (r["durationMs"] as? Double ?? 0))
        }
    }

    @Test func anAnthropicStreamCountsCacheTokensAndKeepsThinkingOutOfText() async throws {
        try await withUpstreamAndLLMTrace { upstream, server in
            let reply = try await HTTP.send(
                "\(upstream.route(via: server.url))/v1/messages",
                method: .POST,
                headers: [("content-type", "application/json"), ("x-api-key", "sk-ant-api03-SECRETSECRETSECRET-abcd")],
                body: Array(#"{"model":"claude-sonnet-4-5","stream":true,"max_tokens":100,"messages":[]}"#.utf8)
            )
            let id = try #require(reply.headers.first(name: "x-llmtrace-id"))
            let r = try await HTTP.eventually("\(server.url)/api/requests/\(id)") { $0["complete"] as? Bool == true }
            #expect(r["provider"] as? String == "anthropic")
            #expect(r["model"] as? String == "claude-sonnet-4-5-20250929")
            #expect(r["text"] as? String == "Bonjour le monde")
            #expect(r["finishReason"] as? String == "end_turn")
            let usage = try #require(r["usage"] as? [String: Any])
            #expect(usage["inputTokens"] as? Int == 2350)
            #expect(usage["cachedInputTokens"] as? Int == 2000)
            #expect(usage["cacheCreationTokens"] as? Int == 300)
            #expect(usage["outputTokens"] as? Int == 25)
            #expect((r["estimatedCost"] as? Double ?? 0) > 0)
            let stats = try await HTTP.send("\(server.url)/api/stats").json()
            #expect((stats["modelBreakdown"] as? [[String: Any]])?.first?["model"] as? String == "claude-sonnet-4-5-20250929")
        }
    }

    @Test func azureDeploymentStandsInForTheModelAndPlusIsASpaceInFilters() async throws {
        try await withUpstreamAndLLMTrace { upstream, server in
            let base = "\(upstream.route(via: server.url))/openai/deployments"
            let limited = try await HTTP.send(
                "\(base)/gpt-4o/chat/completions?api-version=2024-10-21",
                method: .POST,
                headers: [("content-type", "application/json")],
                body: Array(#"{"messages":[{"role":"user","content":"hi"}]}"#.utf8)
            )
            #expect(limited.status == 429)
            let limitedID = try #require(limited.headers.first(name: "x-llmtrace-id"))
            let answered = try await HTTP.send(
                "\(base)/gpt-4o-mini/chat/completions?api-version=2024-10-21",
                method: .POST,
                headers: [("content-type", "application/json")],
                body: Array(#"{"n":2,"messages":[{"role":"user","content":"flip"}]}"#.utf8)
            )
            let answeredID = try #require(answered.headers.first(name: "x-llmtrace-id"))

            let e = try await HTTP.eventually("\(server.url)/api/requests/\(limitedID)") { $0["complete"] as? Bool == true }
            #expect(e["provider"] as? String == "azure-openai")
            #expect(e["model"] as? String == "gpt-4o")
            #expect(e["modelSource"] as? String == "deployment")
            #expect(e["estimatedCost"] is NSNull)  // no usage on an error
            #expect((e["error"] as? [String: Any])?["type"] as? String == "429")

            let r = try await HTTP.eventually("\(server.url)/api/requests/\(answeredID)") { $0["complete"] as? Bool == true }
            #expect(r["model"] as? String == "gpt-4o-mini")
            #expect(r["modelSource"] as? String == "deployment")
            #expect((r["estimatedCost"] as? Double ?? 0) > 0)  // the deployment is named after a priced model
            #expect(r["text"] as? String == "Heads.")
            #expect(r["finishReason"] as? String == "stop")
            let choices = try #require(r["choices"] as? [[String: Any]])
            #expect(choices.map { $0["text"] as? String } == ["Heads.", "Tails"])
            #expect(choices.map { $0["finishReason"] as? String } == ["stop", "length"])

            // `+` is a space in every filter parameter, on every route.
            for route in ["/api/requests?q=rate+limit", "/cgi-bin/requests?q=token+rate+limit&env=test"] {
                let page = try await HTTP.send("\(server.url)\(route)").json()
                let items = try #require(page["items"] as? [[String: Any]], "\(route)")
                #expect(items.map { $0["id"] as? String } == [limitedID], "\(route)")
                #expect(items.first?["choices"] == nil)  // lists carry summaries, which have no choices
            }
            let stats = try await HTTP.send("\(server.url)/api/stats?filter=~err+%26+~m+gpt-4o").json()
            #expect(stats["totalRequests"] as? Int == 1)
            let none = try await HTTP.send("\(server.url)/api/requests?q=rate%2Blimit").json()
            #expect((none["items"] as? [Any])?.isEmpty == true)  // %2B is a real plus
        }
    }
}
