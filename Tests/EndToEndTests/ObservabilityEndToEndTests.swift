import Client
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Whether Python has Prometheus' text parser and the OTLP protobuf messages (`bash .ci/run` installs them).
let observabilityPythonAvailable: Bool = {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import prometheus_client, opentelemetry.proto.collector.trace.v1.trace_service_pb2"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}()

/// `/metrics` and the OTLP export of the real binary: traffic through the proxy to the fake upstream, the
/// exposition parsed by the `prometheus_client` parser and checked against what was sent (and against the
/// API's records), its access rules, and spans received by an OTLP/HTTP receiver the test starts, decoded
/// with `opentelemetry-proto`.
@Suite struct ObservabilityEndToEndTests {
    static let password = "metrics-pass-1"

    /// Sends the test's traffic: three OpenAI chats in `dev`, two Anthropic streams in `prod`, one
    /// Azure deployment the price table does not know in `dev`, one 429 in `dev`.
    static func sendTraffic(_ server: LLMTraceProcess, upstream: FakeUpstream) async throws {
        let base = "\(server.url)/proxy"
        let target = "http/127.0.0.1:\(upstream.port)"
        let json = [("content-type", "application/json")]
        for _ in 0..<3 {
            let r = try await HTTP.send(
                "\(base)/dev/\(target)/v1/chat/completions",
                method: .POST,
                headers: json,
                body: Array(#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#.utf8)
            )
            #expect(r.status == 200)
        }
        for _ in 0..<2 {
            let r = try await HTTP.send(
                "\(base)/prod/\(target)/v1/messages",
                method: .POST,
                headers: json,
                body: Array(#"{"model":"claude-sonnet-4-5","stream":true,"max_tokens":100,"messages":[{"role":"user","content":"hi"}]}"#.utf8)
            )
            #expect(r.status == 200)
        }
        let azure = try await HTTP.send(
            "\(base)/dev/\(target)/openai/deployments/my-private-deployment/chat/completions?api-version=2024-06-01",
            method: .POST,
            headers: json,
            body: Array(#"{"messages":[{"role":"user","content":"flip"}],"n":2}"#.utf8)
        )
        #expect(azure.status == 200)
        let limited = try await HTTP.send("\(base)/dev/\(target)/status/429")
        #expect(limited.status == 429)
    }

    @Test(.enabled(if: observabilityPythonAvailable, "needs python3 with prometheus_client"))
    func metricsAreScrapedAndParsedByPrometheusParser() async throws {
        try await withUpstreamAndLLMTrace(["--password", Self.password]) { upstream, server in
            try await Self.sendTraffic(server, upstream: upstream)
            let auth = [("authorization", "Bearer \(Self.password)")]
            _ = try await HTTP.eventually("\(server.url)/api/stats", headers: auth, timeout: .seconds(15)) { $0["totalRequests"] as? Int == 7 }

            let refused = try await HTTP.send("\(server.url)/metrics")
            #expect(refused.status == 401)
            let scraped = try await HTTP.send("\(server.url)/metrics", headers: auth)
            #expect(scraped.status == 200)
            #expect(scraped.headers.first(name: "content-type") == "text/plain; version=0.0.4; charset=utf-8")
            #expect(!scraped.text.contains(Self.password))

            // The parser reads the exposition; every figure is checked against the records the API holds.
            let script = #"""
                import json, sys, urllib.request
                from collections import defaultdict
                from prometheus_client.parser import text_string_to_metric_families
                base, password = sys.argv[1], sys.argv[2]
                def get(path):
                    request = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + password})
                    return urllib.request.urlopen(request).read().decode()
                families = {f.name: f for f in text_string_to_metric_families(get("/metrics"))}
                samples = [(s.name, s.labels, s.value) for f in families.values() for s in f.samples]
                def total(name, **want):
                    return sum(v for n, labels, v in samples if n == name and all(labels.get(k) == x for k, x in want.items()))
                def one(name, **labels):
                    found = [v for n, l, v in samples if n == name and l == labels]
                    assert len(found) == 1, (name, labels, found)
                    return found[0]
                assert families["llmtrace_requests"].type == "counter", families["llmtrace_requests"].type
                assert families["llmtrace_request_duration_seconds"].type == "histogram"
                assert families["llmtrace_time_to_first_token_seconds"].type == "histogram"
                assert families["llmtrace_proxy_overhead_seconds"].type == "histogram"
                assert families["llmtrace_capture_queue_depth"].type == "gauge"
                assert families["llmtrace_live_subscribers"].type == "gauge"

                items = json.loads(get("/api/requests?limit=100"))["items"]
                assert len(items) == 7, len(items)
                by_env = defaultdict(lambda: defaultdict(float))
                for item in items:
                    e, u = by_env[item["env"]], item["usage"]
                    e["requests"] += 1
                    e["errors"] += 1 if (item["error"] or (item["status"] or 0) >= 400) else 0
                    e["input"] += u["inputTokens"] or 0
                    e["output"] += u["outputTokens"] or 0
                    e["cached_input"] += u["cachedInputTokens"] or 0
                    e["cost"] += item["estimatedCost"] or 0
                    e["duration"] += item["durationMs"] / 1000
                for env, e in by_env.items():
                    assert total("llmtrace_requests_total", env=env) == e["requests"], (env, "requests")
                    assert total("llmtrace_errors_total", env=env) == e["errors"], (env, "errors")
                    assert total("llmtrace_request_duration_seconds_count", env=env) == e["requests"], (env, "duration count")
                    assert abs(total("llmtrace_request_duration_seconds_sum", env=env) - e["duration"]) < 1e-6, (env, "duration sum")
                    for kind in ("input", "output", "cached_input"):
                        assert total("llmtrace_tokens_total", env=env, type=kind) == e[kind], (env, kind, total("llmtrace_tokens_total", env=env, type=kind), e[kind])
                    assert abs(total("llmtrace_cost_usd_total", env=env) - e["cost"]) < 1e-9, (env, "cost")

                # What was sent, label by label.
                dev_openai = dict(env="dev", model="gpt-4o-2024-08-06", provider="openai-compatible", status_class="2xx")
                assert one("llmtrace_requests_total", **dev_openai) == 3
                assert one("llmtrace_tokens_total", type="input", **dev_openai) == 36
                assert one("llmtrace_tokens_total", type="output", **dev_openai) == 9
                assert one("llmtrace_requests_total", env="prod", model="claude-sonnet-4-5-20250929", provider="anthropic", status_class="2xx") == 2
                # A deployment name the price table does not know is folded.
                assert one("llmtrace_requests_total", env="dev", model="other", provider="azure-openai", status_class="2xx") == 1
                assert not any("my-private-deployment" in str(l) for _, l, _ in samples)
                assert total("llmtrace_requests_total", env="dev", status_class="4xx") == 1
                assert total("llmtrace_errors_total", env="dev", status_class="4xx") == 1
                assert total("llmtrace_time_to_first_token_seconds_count") == 7 - 0, total("llmtrace_time_to_first_token_seconds_count")
                # Every exchange went upstream once: one overhead each, well under a second on loopback.
                assert one("llmtrace_proxy_overhead_seconds_count") == 7
                assert one("llmtrace_proxy_overhead_seconds_bucket", le="0.1") == 7
                assert one("llmtrace_live_subscribers") == 0
                assert one("llmtrace_capture_lost_records_total") == 0
                assert one("llmtrace_capture_shed_bodies_total") == 0
                print("checked", len(samples))
                """#
            let (status, output) = try await runCommand(
                URL(fileURLWithPath: "/usr/bin/env"),
                ["python3", "-c", script, server.url, Self.password]
            )
            #expect(status == 0 && output.contains("checked"), "\(output)")
        }
    }

    @Test func metricsAreGuardedUnlessPublicForLoopback() async throws {
        try await withUpstreamAndLLMTrace(["--password", Self.password]) { _, server in
            let none = try await HTTP.send("\(server.url)/metrics")
            let wrong = try await HTTP.send("\(server.url)/metrics", headers: [("authorization", "Bearer wrong")])
            let right = try await HTTP.send("\(server.url)/metrics", headers: [("authorization", "Bearer \(Self.password)")])
            #expect(none.status == 401 && wrong.status == 401 && right.status == 200)
        }
        // Open to loopback: a client a trusted reverse proxy names from elsewhere still needs the password.
        try await withUpstreamAndLLMTrace(["--password", Self.password, "--metrics-public", "--trusted-proxy", "127.0.0.1"]) { _, server in
            let open = try await HTTP.send("\(server.url)/metrics")
            #expect(open.status == 200 && open.text.contains("llmtrace_proxy_overhead_seconds"))
            let remote = [("x-forwarded-for", "203.0.113.9")]
            let remoteBare = try await HTTP.send("\(server.url)/metrics", headers: remote)
            let remoteWithPassword = try await HTTP.send("\(server.url)/metrics", headers: remote + [("authorization", "Bearer \(Self.password)")])
            #expect(remoteBare.status == 401 && remoteWithPassword.status == 200)
            // The rest of the API is not opened.
            let api = try await HTTP.send("\(server.url)/api/requests")
            #expect(api.status == 401)
        }
    }

    /// An OTLP/HTTP receiver on loopback that decodes what it is sent with `opentelemetry-proto` and
    /// writes each span and metric name as a JSON line to `file`.
    static let receiver = #"""
        import json, sys, http.server
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
        from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
        out = open(sys.argv[1], "a", buffering=1)
        def value(v):
            kind = v.WhichOneof("value")
            if kind == "array_value": return [value(x) for x in v.array_value.values]
            return getattr(v, kind) if kind else None
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if self.path == "/v1/traces":
                    request = ExportTraceServiceRequest.FromString(body)
                    for rs in request.resource_spans:
                        resource = {a.key: value(a.value) for a in rs.resource.attributes}
                        for ss in rs.scope_spans:
                            for s in ss.spans:
                                out.write(json.dumps({"span": s.name, "traceId": s.trace_id.hex(), "parentSpanId": s.parent_span_id.hex(),
                                    "kind": s.kind, "start": s.start_time_unix_nano, "end": s.end_time_unix_nano, "status": s.status.code,
                                    "service": resource.get("service.name"),
                                    "attributes": {a.key: value(a.value) for a in s.attributes}}) + "\n")
                elif self.path == "/v1/metrics":
                    request = ExportMetricsServiceRequest.FromString(body)
                    for rm in request.resource_metrics:
                        for sm in rm.scope_metrics:
                            for m in sm.metrics:
                                points = m.histogram.data_points
                                out.write(json.dumps({"metric": m.name, "unit": m.unit, "points": [
                                    {"count": p.count, "sum": p.sum, "attributes": {a.key: value(a.value) for a in p.attributes}} for p in points]}) + "\n")
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", "0")
                self.end_headers()
            def log_message(self, *args): pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print("listening", server.server_address[1], flush=True)
        server.serve_forever()
        """#

    /// Runs the receiver for the length of `body`, handing it the receiver's port and a function that
    /// reads what it received.
    static func withReceiver<T>(_ body: (Int, @Sendable () -> [[String: Any]]) async throws -> T) async throws -> T {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("received.jsonl")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", receiver, file.path]
        let output = OutputBuffer()
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { h in output.append(String(decoding: h.availableData, as: UTF8.self)) }
        try process.run()
        return try await withTeardown(
            process,
            teardown: { p in
                kill(p.processIdentifier, SIGKILL)
                _ = await ProcessExit.wait(for: p, timeout: .seconds(10))
                pipe.fileHandleForReading.readabilityHandler = nil
            }
        ) { _ in
            // A guard against a hang: Python and opentelemetry-proto start slowly on a loaded machine.
            let deadline = ContinuousClock.now + .seconds(60)
            var port: Int?
            while port == nil, ContinuousClock.now < deadline {
                if let line = output.text.split(separator: "\n").first(where: { $0.hasPrefix("listening ") }) {
                    port = Int(line.dropFirst("listening ".count))
                } else {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            let found = try #require(port, "the OTLP receiver did not start: \(output.text)")
            let read: @Sendable () -> [[String: Any]] = {
                let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
                return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            }
            return try await body(found, read)
        }
    }

    /// Waits until `read` returns what satisfies `done`.
    static func eventually(
        _ read: () -> [[String: Any]],
        timeout: Duration = .seconds(20),
        _ done: ([[String: Any]]) -> Bool
    ) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let lines = read()
            if done(lines) { return lines }
            try await Task.sleep(for: .milliseconds(100))
        }
        return read()
    }

    @Test(.enabled(if: observabilityPythonAvailable, "needs python3 with opentelemetry-proto"))
    func spansReachAnOTLPReceiverWithGenAIAttributesAndTheCallersTrace() async throws {
        try await Self.withReceiver { port, read in
            try await withFakeUpstream { upstream in
                let environment = ["OTEL_BSP_SCHEDULE_DELAY": "100", "OTEL_METRIC_EXPORT_INTERVAL": "300"]
                try await withLLMTrace(["--otlp-endpoint", "http://127.0.0.1:\(port)"], environment: environment) { server in
                    #expect(server.log.contains("otlp: http://127.0.0.1:\(port) over OTLP/HTTP"))
                    let traceID = "0af7651916cd43dd8448eb211c80319c"
                    let parentID = "b7ad6b7169203331"
                    let before = Date()
                    let chat = try await HTTP.send(
                        "\(server.url)/proxy/dev/http/127.0.0.1:\(upstream.port)/v1/chat/completions",
                        method: .POST,
                        headers: [
                            ("content-type", "application/json"), ("traceparent", "00-\(traceID)-\(parentID)-01"),
                            ("authorization", "Bearer sk-secret-123"),
                        ],
                        body: Array(#"{"model":"gpt-4o","messages":[{"role":"user","content":"a secret prompt"}]}"#.utf8)
                    )
                    #expect(chat.status == 200)
                    let stream = try await HTTP.send(
                        "\(server.url)/proxy/prod/http/127.0.0.1:\(upstream.port)/v1/messages",
                        method: .POST,
                        headers: [("content-type", "application/json")],
                        body: Array(#"{"model":"claude-sonnet-4-5","stream":true,"max_tokens":100,"messages":[{"role":"user","content":"hi"}]}"#.utf8)
                    )
                    #expect(stream.status == 200)
                    let after = Date()

                    let lines = try await Self.eventually(read) { lines in
                        lines.filter { $0["span"] != nil }.count >= 2
                            && lines.contains { $0["metric"] as? String == "gen_ai.client.token.usage" }
                            && lines.contains { $0["metric"] as? String == "gen_ai.client.operation.duration" }
                    }
                    let spans = lines.filter { $0["span"] != nil }
                    #expect(spans.count == 2, "\(lines)")
                    let openai = try #require(spans.first { ($0["attributes"] as? [String: Any])?["llmtrace.env"] as? String == "dev" })
                    let attributes = try #require(openai["attributes"] as? [String: Any])
                    #expect(openai["span"] as? String == "chat gpt-4o")
                    #expect(openai["service"] as? String == "llmtrace")
                    #expect(openai["kind"] as? Int == 3)  // SPAN_KIND_CLIENT
                    // The caller's trace is kept: same trace id, the caller's span as parent.
                    #expect(openai["traceId"] as? String == traceID)
                    #expect(openai["parentSpanId"] as? String == parentID)
                    #expect(attributes["gen_ai.operation.name"] as? String == "chat")
                    #expect(attributes["gen_ai.provider.name"] as? String == "openai-compatible")
                    #expect(attributes["gen_ai.request.model"] as? String == "gpt-4o")
                    #expect(attributes["gen_ai.response.model"] as? String == "gpt-4o-2024-08-06")
                    #expect(attributes["gen_ai.usage.input_tokens"] as? Int == 12)
                    #expect(attributes["gen_ai.usage.output_tokens"] as? Int == 3)
                    #expect(attributes["gen_ai.response.finish_reasons"] as? [String] == ["stop"])
                    #expect(attributes["server.address"] as? String == "127.0.0.1")
                    #expect(attributes["server.port"] as? Int == upstream.port)
                    #expect(attributes["http.response.status_code"] as? Int == 200)
                    // Prompts and answers stay out without --otlp-content; no header is exported.
                    #expect(attributes["gen_ai.input.messages"] == nil && attributes["gen_ai.output.messages"] == nil)
                    #expect(!lines.description.contains("secret"))
                    // The span covers the exchange's real time.
                    let start = try #require(openai["start"] as? Int)
                    let end = try #require(openai["end"] as? Int)
                    #expect(Double(start) / 1e9 >= before.timeIntervalSince1970 - 0.001 && end >= start)
                    #expect(Double(end) / 1e9 <= after.timeIntervalSince1970 + 0.001)

                    let anthropic = try #require(spans.first { ($0["attributes"] as? [String: Any])?["llmtrace.env"] as? String == "prod" })
                    let a = try #require(anthropic["attributes"] as? [String: Any])
                    #expect(anthropic["traceId"] as? String != traceID && anthropic["parentSpanId"] as? String == "")
                    #expect(a["gen_ai.provider.name"] as? String == "anthropic")
                    #expect(a["gen_ai.response.model"] as? String == "claude-sonnet-4-5-20250929")
                    #expect(a["gen_ai.response.finish_reasons"] as? [String] == ["end_turn"])

                    let usage = lines.filter { $0["metric"] as? String == "gen_ai.client.token.usage" }
                    let points = usage.flatMap { ($0["points"] as? [[String: Any]]) ?? [] }
                    let input = points.first {
                        let attributes = $0["attributes"] as? [String: Any]
                        return attributes?["gen_ai.token.type"] as? String == "input"
                            && attributes?["gen_ai.provider.name"] as? String == "openai-compatible"
                    }
                    #expect(input?["sum"] as? Double == 12, "\(usage)")
                    #expect(usage.first?["unit"] as? String == "{token}")
                    // The exporters are let go off the event loops: the server stops cleanly.
                    #expect(await server.stop() == 0, "\(server.log)")
                }
            }
        }
    }

    @Test(.enabled(if: observabilityPythonAvailable, "needs python3 with opentelemetry-proto"))
    func otlpContentExportsPromptsAndAnswers() async throws {
        try await Self.withReceiver { port, read in
            try await withFakeUpstream { upstream in
                let environment = ["OTEL_BSP_SCHEDULE_DELAY": "100", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(port)"]
                // The standard variable alone turns the export on.
                try await withLLMTrace(["--otlp-content"], environment: environment) { server in
                    let chat = try await HTTP.send(
                        "\(server.url)/proxy/dev/http/127.0.0.1:\(upstream.port)/v1/chat/completions",
                        method: .POST,
                        headers: [("content-type", "application/json")],
                        body: Array(#"{"model":"gpt-4o","messages":[{"role":"user","content":"say hello"}]}"#.utf8)
                    )
                    #expect(chat.status == 200)
                    let lines = try await Self.eventually(read) { $0.contains { $0["span"] != nil } }
                    let span = try #require(lines.first { $0["span"] != nil })
                    let attributes = try #require(span["attributes"] as? [String: Any])
                    let input = try #require(attributes["gen_ai.input.messages"] as? String)
                    #expect(input == #"[{"content":"say hello","role":"user"}]"#)
                    let output = try #require(attributes["gen_ai.output.messages"] as? String)
                    #expect(output == #"[{"finish_reason":"stop","parts":[{"content":"Hello there","type":"text"}],"role":"assistant"}]"#)
                    #expect(await server.stop() == 0, "\(server.log)")
                }
            }
        }
    }
}
