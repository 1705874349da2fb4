import Client
import Foundation
import Testing

/// The real `llmtrace tui` in a real terminal (tmux), against a real server and the fake upstream.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")))
struct TUIEndToEndTests {
    @Test func aStreamGrowsInTheConversationTabAndTheScreensFollowTheKeys() async throws {
        try await withUpstreamAndLLMTrace { upstream, server in
            try await withTmux(command: "\(LLMTraceProcess.binary.path) tui --server \(server.url)", width: 160, height: 45) { tmux in
                try await tmux.waitFor("live")

                // A streaming request whose second half the upstream holds back.
                let call = Task {
                    try await HTTP.send(
                        "\(upstream.route(via: server.url, env: "tui"))/gated/v1/chat/completions",
                        method: .POST,
                        headers: [("content-type", "application/json")],
                        body: Array(
                            #"{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"What is the weather in Paris?"}]}"#
                                .utf8
                        )
                    )
                }
                try await tmux.waitFor("/gated/v1/chat/completions")  // the row appears while in flight
                try await tmux.send("Enter")
                try await tmux.send("]")  // Overview → Conversation
                try await tmux.waitFor("What is the weather in Paris?")
                try await tmux.waitFor("Checking the weather.")
                #expect(!(try await tmux.screen()).contains("get_weather"))
                upstream.openGate()
                _ = try await call.value
                try await tmux.waitFor("get_weather")

                // The stats screen has the model's row.
                try await tmux.send("2")
                try await tmux.waitFor("gpt-4o-mini-2024-07-18")

                // `/` filters the list; a wrong filter is shown in red with its reason, the list stays.
                try await tmux.send("1")
                try await tmux.send("Escape")
                try await tmux.send("/")
                try await tmux.type("~q")
                try await tmux.waitFor("Unknown operator ~q")
                try await tmux.send("BSpace", "BSpace")
                try await tmux.type("~m nomatch")
                try await tmux.send("Enter")
                try await tmux.waitForAbsence("chat.completions 200")  // the finished row, as the list shows it
                try await tmux.send("/")
                try await tmux.send("Escape")
                try await tmux.waitFor("chat.completions 200")

                // A resize re-lays out.
                try await tmux.resize(width: 90, height: 30)
                let small = try await tmux.screen()
                #expect(small.split(separator: "\n").allSatisfy { $0.count <= 90 })
                try await tmux.waitFor("live")

                // q quits and gives the terminal back.
                try await tmux.send("q")
                try await tmux.waitUntilExited()
                #expect(try await tmux.alternateScreenOff())
            }
        }
    }

    /// `E` exports what the list's filter matches to a CSV file in the export directory, named in the
    /// status line; a directory it cannot write to is an error in the status line.
    @Test func sessionsScreenDiffTabAndReplayWithATypedKey() async throws {
        try await withUpstreamAndLLMTrace(["--db", ":memory:"]) { upstream, server in
            // A three-turn conversation, then the TUI.
            var messages = [#"{"role":"user","content":"Plan the release"}"#]
            for turn in 1...3 {
                let reply = try await HTTP.send(
                    "\(upstream.route(via: server.url, env: "tui"))/v1/chat/completions",
                    method: .POST,
                    headers: [("content-type", "application/json"), ("authorization", "Bearer sk-original-000000000000000\(turn)")],
                    body: Array(#"{"model":"gpt-4o","messages":[\#(messages.joined(separator: ","))]}"#.utf8)
                )
                #expect(reply.status == 200)
                messages += [#"{"role":"assistant","content":"Hello there"}"#, #"{"role":"user","content":"step \#(turn)"}"#]
            }
            try await withTmux(command: "\(LLMTraceProcess.binary.path) tui --server \(server.url)", width: 160, height: 45) { tmux in
                try await tmux.waitFor("live")
                try await tmux.send("3")
                try await tmux.waitFor("3 turns")
                // Into the turns, the last one opened on the Requests screen, its Diff tab.
                try await tmux.send("Enter")
                try await tmux.send("G")
                try await tmux.send("Enter")
                try await tmux.waitFor("filter ~session")
                try await tmux.send("Enter")
                try await tmux.send("]", "]")
                try await tmux.waitFor("turn 3 of session")
                try await tmux.waitFor("step 2")

                // r asks for a key, shows it masked, and sends the request again with it.
                try await tmux.send("r")
                try await tmux.waitFor("API key to replay")
                try await tmux.type("sk-typed-key-1234")
                #expect(!(try await tmux.screen()).contains("sk-typed-key"))
                try await tmux.send("Enter")
                try await tmux.waitFor("│ replay")
                #expect(upstream.state.withLock { $0.lastHeaders["authorization"] } == "Bearer sk-typed-key-1234")
                try await tmux.send("Escape")
                try await tmux.waitForAbsence("│ replay")
                try await tmux.send("q")
                try await tmux.waitUntilExited()
            }
            let replays = try await HTTP.send("\(server.url)/api/requests?limit=10").json()["items"] as? [[String: Any]] ?? []
            let replay = try #require(replays.first { $0["replayOf"] is String })
            #expect(replays.filter { $0["replayOf"] is String }.count == 1)
            // The typed key was stored redacted, as every secret.
            let stored = try await HTTP.send("\(server.url)/api/requests/\(replay["id"] as? String ?? "")")
            #expect(stored.status == 200 && stored.text.contains("authorization") && !stored.text.contains("sk-typed-key"))
        }
    }

    @Test func shiftEExportsTheFilteredListToAFile() async throws {
        try await withUpstreamAndLLMTrace { upstream, server in
            for env in ["tui-a", "tui-b", "tui-a", "tui-a"] {
                let reply = try await HTTP.send(
                    "\(upstream.route(via: server.url, env: env))/v1/chat/completions",
                    method: .POST,
                    headers: [("content-type", "application/json")],
                    body: Array(#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#.utf8)
                )
                #expect(reply.status == 200)
            }
            _ = try await HTTP.eventually("\(server.url)/api/stats") { $0["totalRequests"] as? Int == 4 }
            try await withTempDirectory { dir in
                let command = "\(LLMTraceProcess.binary.path) tui --server \(server.url) --export-dir \(dir.path)"
                try await withTmux(command: command, width: 160, height: 40) { tmux in
                    try await tmux.waitFor("live")
                    try await tmux.send("/")
                    try await tmux.type("~e tui-a")
                    try await tmux.send("Enter")
                    try await tmux.send("E")
                    try await tmux.waitFor("Exported 3 requests to \(dir.path)/llmtrace-export-")
                    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("llmtrace-export-") }
                    #expect(files.count == 1 && files[0].hasSuffix(".csv"), "\(files)")
                    let csv = try String(contentsOf: dir.appendingPathComponent(files[0]), encoding: .utf8)
                    let lines = csv.split(separator: "\r\n")
                    #expect(lines.count == 4 && lines[0].hasPrefix("id,startedAt,env,"), "\(csv)")
                    #expect(lines.dropFirst().allSatisfy { $0.contains(",tui-a,") }, "\(csv)")
                    try await tmux.send("q")
                    try await tmux.waitUntilExited()
                }
                let missing = dir.appendingPathComponent("no-such-dir").path
                try await withTmux(
                    command: "\(LLMTraceProcess.binary.path) tui --server \(server.url) --export-dir \(missing)",
                    width: 160,
                    height: 40
                ) {
                    tmux in
                    try await tmux.waitFor("live")
                    try await tmux.send("E")
                    try await tmux.waitFor("Export failed: cannot create \(missing)/llmtrace-export-")
                    try await tmux.send("q")
                    try await tmux.waitUntilExited()
                }
            }
        }
    }
}

/// A tmux session running `command` for the length of `body`, then killed (the kill is waited for).
func withTmux<T>(command: String, width: Int, height: Int, _ body: (Tmux) async throws -> T) async throws -> T {
    try await withTeardown(try await Tmux.start(command: command, width: width, height: height), teardown: { await $0.kill() }, body)
}

/// A detached tmux session running one command, with `remain-on-exit` so its end can be inspected.
final class Tmux: Sendable {
    let name: String
    static let tool = URL(fileURLWithPath: "/usr/bin/tmux")

    static func start(command: String, width: Int, height: Int) async throws -> Tmux {
        let name = "llmtrace-e2e-\(UUID().uuidString.prefix(8))"
        let tmux = Tmux(name: name)
        // A tmux server of its own (-L): sessions started at once on a shared server can be lost while
        // that server starts or exits. remain-on-exit is set in its config, before the program starts.
        let config = try makeTempDirectory().appendingPathComponent("tmux.conf")
        try "set-option -g remain-on-exit on\n".write(to: config, atomically: true, encoding: .utf8)
        // Started with a clean signal mask (ChildProcess): the tmux server forked from it keeps the mask, and
        // Foundation's Process passes on its worker thread's, which blocks SIGCHLD and SIGTERM — such a server
        // never reaps its panes and ignores kill-server.
        let client = try ChildProcess(
            [
                tool.path, "-L", name, "-f", config.path, "new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)",
                "env TERM=xterm-256color \(command)",
            ],
            captureOutput: true
        )
        let status = await client.wait(timeout: .seconds(30))
        guard status == 0 else {
            await tmux.kill()
            throw ProcessFailure("tmux new-session failed (\(status.map(String.init) ?? "timed out")): \(client.standardError.text)")
        }
        return tmux
    }

    private init(name: String) { self.name = name }

    func screen() async throws -> String {
        try await runCommand(Self.tool, ["-L", name, "capture-pane", "-p", "-t", name]).1
    }

    func send(_ keys: String...) async throws {
        _ = try await runCommand(Self.tool, ["-L", name, "send-keys", "-t", name] + keys)
        try await Task.sleep(for: .milliseconds(150))
    }

    func type(_ text: String) async throws {
        _ = try await runCommand(Self.tool, ["-L", name, "send-keys", "-t", name, "-l", text])
        try await Task.sleep(for: .milliseconds(150))
    }

    func resize(width: Int, height: Int) async throws {
        _ = try await runCommand(Self.tool, ["-L", name, "resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
        try await Task.sleep(for: .milliseconds(300))
    }

    func waitFor(_ text: String, timeout: Duration = .seconds(15)) async throws {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            last = try await screen()
            if last.contains(text) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ProcessFailure("'\(text)' did not appear on screen within \(timeout):\n\(last)")
    }

    func waitForAbsence(_ text: String, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            last = try await screen()
            if !last.contains(text) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ProcessFailure("'\(text)' stayed on screen for \(timeout):\n\(last)")
    }

    func waitUntilExited(timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let dead = try await runCommand(Self.tool, ["-L", name, "display-message", "-p", "-t", name, "#{pane_dead}"]).1
            if dead.trimmingCharacters(in: .whitespacesAndNewlines) == "1" { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ProcessFailure("llmtrace tui did not exit within \(timeout):\n\(try await screen())")
    }

    /// The exit status of the pane's program once it has exited (`#{pane_dead_status}`).
    func exitStatus() async throws -> Int32? {
        Int32(
            try await runCommand(Self.tool, ["-L", name, "display-message", "-p", "-t", name, "#{pane_dead_status}"]).1.trimmingCharacters(
                in: .whitespacesAndNewlines
            )
        )
    }

    /// Whether the pane's program has exited.
    func hasExited() async throws -> Bool {
        try await runCommand(Self.tool, ["-L", name, "display-message", "-p", "-t", name, "#{pane_dead}"]).1.trimmingCharacters(
            in: .whitespacesAndNewlines
        ) == "1"
    }

    /// The pid of the pane's program named `program`: the pane's process, or one it started (the
    /// shell tmux runs the command with, and `env`, may or may not exec it).
    func programPID(named program: String = "llmtrace") async throws -> pid_t {
        let text = try await runCommand(Self.tool, ["-L", name, "display-message", "-p", "-t", name, "#{pane_pid}"]).1
        guard var pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw ProcessFailure("no pane pid: \(text)") }
        for _ in 0..<4 {
            let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) ?? ""
            if exe.hasSuffix("/" + program) { return pid }
            let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
            guard let child = children.split(separator: " ").first.flatMap({ pid_t($0) }) else { break }
            pid = child
        }
        throw ProcessFailure("no \(program) process in tmux pane \(name)")
    }

    /// Whether the program left the alternate screen (curses' endwin ran).
    func alternateScreenOff() async throws -> Bool {
        try await runCommand(Self.tool, ["-L", name, "display-message", "-p", "-t", name, "#{alternate_on}"]).1.trimmingCharacters(
            in: .whitespacesAndNewlines
        ) == "0"
    }

    /// Ends the session's private tmux server and the program in it.
    func kill() async {
        _ = try? await runCommand(Self.tool, ["-L", name, "kill-server"])
    }
}
