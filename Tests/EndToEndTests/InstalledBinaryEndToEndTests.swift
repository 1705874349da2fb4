import Foundation
import Testing

/// The binary as a user installs it: copied alone into an empty directory (no resource bundle, no
/// source tree beside it) and run from there. The price table and the web panel are built into it.
@Suite struct InstalledBinaryEndToEndTests {
    /// Copies the built binary alone into `<dir>/bin`, and runs `body` with it, with the working
    /// directory `<dir>/work` (empty, so no config file is found).
    func withInstalledBinary<T>(_ body: (_ binary: URL, _ workDirectory: URL) async throws -> T) async throws -> T {
        try await withTempDirectory { dir in
            let bin = dir.appendingPathComponent("bin")
            let work = dir.appendingPathComponent("work")
            try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            let installed = bin.appendingPathComponent("llmtrace")
            // Copied by `cp`, not in this process: a file this process held open for writing could be
            // inherited by a child another test forks meanwhile, and exec would then fail with ETXTBSY.
            let (status, output) = try await runCommand(
                URL(fileURLWithPath: "/bin/cp"),
                [LLMTraceProcess.binary.resolvingSymlinksInPath().path, installed.path]
            )
            try #require(status == 0, "cp failed: \(output)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: bin.path) == ["llmtrace"])
            return try await body(installed, work)
        }
    }

    @Test func anInstalledBinaryServesThePanelAndPricesCalls() async throws {
        try await withInstalledBinary { binary, work in
            try await withFakeUpstream { upstream in
                try await withLLMTrace(directory: work, binary: binary) { server in
                    #expect(!server.log.contains("not found"), "\(server.log)")

                    // The panel, from memory.
                    let index = try await HTTP.send("\(server.url)/")
                    #expect(index.status == 200)
                    #expect(index.headers.first(name: "content-type")?.hasPrefix("text/html") == true)
                    #expect(index.text.contains("<title>llmtrace</title>"))
                    #expect(index.text.contains(#"<script type="module" src="./app.js"></script>"#))
                    #expect(index.headers.first(name: "cache-control") == "no-cache")
                    let app = try await HTTP.send("\(server.url)/app.js")
                    #expect(app.status == 200)
                    #expect(app.headers.first(name: "content-type")?.contains("javascript") == true)
                    let nested = try await HTTP.send("\(server.url)/views/requests.js")
                    #expect(nested.status == 200 && !nested.body.isEmpty)
                    let css = try await HTTP.send("\(server.url)/style.css")
                    #expect(css.headers.first(name: "content-type")?.hasPrefix("text/css") == true)
                    #expect(css.headers.first(name: "content-length") == String(css.body.count))
                    // Revalidation: the ETag answers 304.
                    let etag = try #require(css.headers.first(name: "etag"))
                    let again = try await HTTP.send("\(server.url)/style.css", headers: [("if-none-match", etag)])
                    #expect(again.status == 304)
                    let part = try await HTTP.send("\(server.url)/style.css", headers: [("range", "bytes=0-9")])
                    #expect(part.status == 206)
                    #expect(part.body == Array(css.body.prefix(10)))
                    #expect(try await HTTP.send("\(server.url)/missing.js").status == 404)
                    #expect(try await HTTP.send("\(server.url)/views/").status == 404)
                    #expect(try await HTTP.send("\(server.url)/api/nope").status == 404)

                    // A proxied gpt-4o-mini call is priced from the built-in table.
                    let reply = try await HTTP.send(
                        "\(upstream.route(via: server.url))/v1/chat/completions",
                        method: .POST,
                        headers: [("content-type", "application/json")],
                        body: Array(#"{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[]}"#.utf8)
                    )
                    #expect(reply.status == 200)
                    let id = try #require(reply.headers.first(name: "x-llmtrace-id"))
                    let record = try await HTTP.eventually("\(server.url)/api/requests/\(id)") { $0["complete"] as? Bool == true }
                    #expect(record["model"] as? String == "gpt-4o-mini-2024-07-18")
                    let cost = try #require(record["estimatedCost"] as? Double)
                    #expect(cost > 0)
                }
            }
        }
    }

    @Test func anInstalledBinaryKnowsGPT4oPrice() async throws {
        try await withInstalledBinary { binary, work in
            let (status, out) = try await runCommand(
                binary,
                ["cost", "--model", "gpt-4o", "--prompt", "1000", "--completion", "100"],
                environment: LLMTraceProcess.childEnvironment([:]),
                directory: work
            )
            #expect(status == 0, "\(out)")
            #expect(out.hasPrefix("$"), "\(out)")
            #expect(out.contains("gpt-4o"))
            #expect(!out.contains("$0.000000"))
        }
    }

    @Test func webRootAndPricingStillOverrideTheBuiltInCopies() async throws {
        try await withInstalledBinary { binary, work in
            let web = work.appendingPathComponent("web")
            try FileManager.default.createDirectory(at: web, withIntermediateDirectories: true)
            try Data("<h1>my panel</h1>".utf8).write(to: web.appendingPathComponent("index.html"))
            let prices = work.appendingPathComponent("prices.json")
            try Data(#"{"models": {"my-model": {"inputPerMillion": 1, "outputPerMillion": 2}}}"#.utf8).write(to: prices)

            try await withLLMTrace(["--web-root", web.path], directory: work, binary: binary) { server in
                let index = try await HTTP.send("\(server.url)/")
                #expect(index.text == "<h1>my panel</h1>")
                #expect(try await HTTP.send("\(server.url)/app.js").status == 404)
            }
            let (status, out) = try await runCommand(
                binary,
                ["cost", "--model", "my-model", "--prompt", "1000000", "--completion", "1000000", "--pricing", prices.path],
                environment: LLMTraceProcess.childEnvironment([:]),
                directory: work
            )
            #expect(status == 0, "\(out)")
            #expect(out.hasPrefix("$3.000000"), "\(out)")

            let (badStatus, badOut) = try await runCommand(
                binary,
                ["serve", "--port", "0", "--no-socket", "--web-root", work.appendingPathComponent("nope").path],
                environment: LLMTraceProcess.childEnvironment([:]),
                directory: work
            )
            #expect(badStatus != 0)
            #expect(badOut.contains("--web-root"), "\(badOut)")
        }
    }
}
