import Client
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

private let sshAvailable =
    FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") && FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh")
private let tmuxAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")

/// `--ssh` as users have it: through a real sshd on loopback started by each test, with ssh logging at
/// its default level and a known_hosts file that starts empty (`StrictHostKeyChecking=accept-new`).
///
/// Serialized: each test runs an sshd, ssh and llmtrace, and ssh gives up on a login that takes more than
/// ConnectTimeout (10 s) — which a dozen of them at once on a small, busy machine can.
@Suite(.serialized, .enabled(if: sshAvailable, "skipped: needs /usr/sbin/sshd and /usr/bin/ssh (apt-get install openssh-server openssh-client)"))
struct SSHEndToEndTests {
    static let user = NSUserName()

    static func target(_ sshd: SSHServer) -> String { "\(user)@127.0.0.1:\(sshd.port)" }

    static func options(_ sshd: SSHServer) -> [String] { sshd.clientOptions.flatMap { ["--ssh-option", $0] } }

    /// What the remote login prints besides the answer.
    enum Login: String, CaseIterable, Sendable {
        case quiet, banner, noisyShell, bannerAndNoisyShell
        var noise: SSHServer.Noise {
            switch self {
            case .quiet: []
            case .banner: .banner
            case .noisyShell: .shell
            case .bannerAndNoisyShell: [.banner, .shell]
            }
        }
    }

    // MARK: 1. Finding the remote socket

    /// Without `--remote-socket`, the first contact with a host (ssh warns it added the host key), an sshd
    /// banner, and a login shell printing on stdout and stderr do not hide the remote's answer.
    @Test(arguments: Login.allCases)
    func discoveryFindsTheRemoteDefaultSocketOnFirstContact(_ login: Login) async throws {
        let sshd = try await SSHServer.start(noise: login.noise)
        defer { sshd.stop() }
        let upstream = try await FakeUpstream.start()
        try await withLLMTrace(["--socket", sshd.defaultSocket]) { server in
            #expect(try Data(contentsOf: URL(fileURLWithPath: sshd.knownHosts)).isEmpty)

            let tail = try TailProcess(["tail", "--json", "--ssh", Self.target(sshd)] + Self.options(sshd))
            defer { tail.stop() }
            try await tail.waitFor("connected to ssh \(Self.target(sshd)) → \(sshd.defaultSocket)")
            _ = try await HTTP.send(
                "\(upstream.route(via: server.url, env: "remote"))/v1/chat/completions",
                method: .POST,
                body: Array(#"{"model":"gpt-4o"}"#.utf8)
            )
            let lines = try await tail.waitForLines(1)
            #expect(lines.first?.contains(#""env":"remote""#) == true)
            #expect(!(try String(contentsOfFile: sshd.knownHosts, encoding: .utf8)).isEmpty)  // it was a first contact
            tail.stop()
            #expect(await sshd.tunnelsEnd(for: sshd.defaultSocket, timeout: .seconds(5)) == [])
            await upstream.stop()
        }
    }

    @Test func discoverySaysSoWhenNoServerListensOnTheRemote() async throws {
        let sshd = try await SSHServer.start(noise: [.banner, .shell])
        defer { sshd.stop() }
        let (status, output) = try await LLMTraceProcess.runToEnd(["tail", "--ssh", Self.target(sshd)] + Self.options(sshd))
        #expect(status == 1)
        #expect(output.contains("no llmtrace server is listening on \(Self.target(sshd)): \(sshd.defaultSocket) is not a socket"), "\(output)")
    }

    // MARK: 2. Signals while the tunnel opens

    struct Interrupt: Sendable, CustomTestStringConvertible {
        let command: String
        let signal: Int32
        let after: Duration
        var testDescription: String { "\(command), \(signal == SIGINT ? "ctrl-c" : "SIGTERM") after \(after)" }
    }

    static let interrupts: [Interrupt] = ["tail", "tui"].flatMap { command in
        [SIGINT, SIGTERM].flatMap { signal in [Duration.seconds(1), .seconds(5)].map { Interrupt(command: command, signal: signal, after: $0) } }
    }

    /// ctrl-c or SIGTERM while the tunnel waits for a remote socket that never answers: the command
    /// exits promptly and its ssh with it.
    @Test(arguments: interrupts)
    func aSignalWhileTheTunnelOpensEndsTheCommandAndSSH(_ interrupt: Interrupt) async throws {
        try #require(interrupt.command == "tail" || tmuxAvailable, "skipped: the tui case needs tmux")
        let sshd = try await SSHServer.start()
        defer { sshd.stop() }
        let socket = sshd.directory.appendingPathComponent("nothing-answers-here.sock").path
        let arguments = [interrupt.command, "--ssh", Self.target(sshd), "--remote-socket", socket] + Self.options(sshd)
        let started = ContinuousClock.now
        if interrupt.command == "tail" {
            let tail = try TailProcess(arguments)
            defer { tail.stop() }
            try await Self.waitForTunnel(sshd, socket)
            try await Task.sleep(until: started + interrupt.after)
            #expect(tail.exitStatus == nil, "tail gave up before the signal: \(tail.stderr.text)")
            kill(tail.process.processIdentifier, interrupt.signal)
            #expect(await tail.waitForExit(timeout: .seconds(3)) == 128 + interrupt.signal)
        } else {
            let command = ([LLMTraceProcess.binary.path] + arguments).map(Self.shellQuoted).joined(separator: " ")
            try await withTmux(command: command, width: 120, height: 30) { tmux in
                try await Self.waitForTunnel(sshd, socket)
                let pid = try await tmux.programPID()
                try await Task.sleep(until: started + interrupt.after)
                if try await tmux.hasExited() {
                    let status = try await tmux.exitStatus()
                    let screen = try await tmux.screen()
                    Issue.record("tui gave up before the signal (exit status \(status.map(String.init) ?? "?")): \(screen)")
                    return
                }
                let signals =
                    (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8))?
                    .split(separator: "\n").filter { $0.hasPrefix("Sig") || $0.hasPrefix("Shd") }.joined(separator: " ") ?? ""
                let signalled = ContinuousClock.now
                if interrupt.signal == SIGINT {
                    // The terminal's ctrl-c: SIGINT to the foreground process group, which tui leads in its pane
                    // (`tmux send-keys C-c` does the same, but the tmux client can take seconds to start under load).
                    #expect(getpgid(pid) == pid)
                    kill(-pid, SIGINT)
                } else {
                    kill(pid, SIGTERM)
                }
                // Watched through /proc: polling tmux means starting processes, which is slow under load.
                while !processHasExited(pid), ContinuousClock.now - signalled < .seconds(25) { try await Task.sleep(for: .milliseconds(20)) }
                let took = ContinuousClock.now - signalled
                #expect(took < .seconds(3), "exited after \(took); before the signal: \(signals)")
                try await tmux.waitUntilExited(timeout: .seconds(10))
                let status = try await tmux.exitStatus()
                #expect(status == nil || status == 128 + interrupt.signal, "exit status \(status.map(String.init) ?? "?")")
            }
        }
        #expect(await sshd.tunnelsEnd(for: socket, timeout: .seconds(3)) == [], "ssh was left running")
    }

    static func waitForTunnel(_ sshd: SSHServer, _ socket: String) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if await sshd.hasTunnelProcess(for: socket) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ProcessFailure("no ssh tunnel to \(socket) started")
    }

    static func shellQuoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }

    // MARK: 3. A normal ssh setup

    /// A host alias from an ssh config file, a jump host from the config and from `--ssh-option
    /// ProxyJump=`, and an IPv6 literal in brackets.
    @Test func aliasesJumpHostsAndIPv6Literals() async throws {
        let sshd = try await SSHServer.start(ipv6: true)
        defer { sshd.stop() }
        try await withLLMTrace(["--socket", sshd.defaultSocket]) { server in
            let config = sshd.directory.appendingPathComponent("ssh_config")
            try """
            Host prod-box behind-bastion
              HostName 127.0.0.1
              Port \(sshd.port)
              User \(Self.user)
            Host behind-bastion
              ProxyJump prod-box
            Host *
              IdentityFile \(sshd.clientKey)
              IdentitiesOnly yes
              UserKnownHostsFile \(sshd.knownHosts)
              StrictHostKeyChecking accept-new

            """.write(to: config, atomically: true, encoding: .utf8)
            let cases: [(String, [String])] = [
                ("prod-box", ["--ssh-config", config.path]),
                ("behind-bastion", ["--ssh-config", config.path]),
                ("\(Self.user)@127.0.0.1:\(sshd.port)", ["--ssh-config", config.path, "--ssh-option", "ProxyJump=prod-box"]),
                ("\(Self.user)@[::1]:\(sshd.port)", Self.options(sshd)),
            ]
            for (target, extra) in cases {
                let tail = try TailProcess(["tail", "--ssh", target] + extra)
                defer { tail.stop() }
                try await tail.waitFor("connected to ssh \(target) → \(sshd.defaultSocket)")
                tail.stop()
                #expect(await sshd.tunnelsEnd(for: sshd.defaultSocket, timeout: .seconds(5)) == [], "\(target)")
            }
        }
    }

    /// `BatchMode=yes`: a key that needs a passphrase, with no agent, cannot log in; the error says what to do.
    @Test func aKeyThatNeedsAPassphraseWithoutAnAgentIsExplained() async throws {
        let keys = try makeTempDirectory()
        let locked = keys.appendingPathComponent("locked_key")
        let (status, output) = try await runCommand(
            URL(fileURLWithPath: "/usr/bin/ssh-keygen"),
            ["-q", "-t", "ed25519", "-N", "a passphrase", "-f", locked.path]
        )
        try #require(status == 0, "\(output)")
        let sshd = try await SSHServer.start(extraKeys: [keys.appendingPathComponent("locked_key.pub")])
        defer { sshd.stop() }
        let options = [
            "IdentityFile=\(locked.path)", "IdentitiesOnly=yes", "IdentityAgent=none", "UserKnownHostsFile=\(sshd.knownHosts)",
            "StrictHostKeyChecking=accept-new",
        ]
        let (exit, said) = try await LLMTraceProcess.runToEnd(
            ["tail", "--ssh", Self.target(sshd), "--remote-socket", sshd.defaultSocket] + options.flatMap { ["--ssh-option", $0] }
        )
        #expect(exit == 1)
        #expect(said.contains("ssh could not log in to \(Self.target(sshd)) without asking for a password: load your key into ssh-agent"), "\(said)")
        #expect(said.contains("run `ssh -p \(sshd.port) \(Self.user)@127.0.0.1 true` first"), "\(said)")
    }

    /// The tunnel's ssh dies (a network drop): tail says so, reopens it and carries on.
    @Test func aDeadTunnelIsReportedAndReopened() async throws {
        let sshd = try await SSHServer.start()
        defer { sshd.stop() }
        let upstream = try await FakeUpstream.start()
        try await withLLMTrace(["--socket", sshd.defaultSocket]) { server in
            let tail = try TailProcess(["tail", "--json", "--ssh", Self.target(sshd)] + Self.options(sshd))
            defer { tail.stop() }
            try await tail.waitFor("connected to ssh")
            let first = await sshd.tunnelProcesses(for: sshd.defaultSocket)
            try #require(first.count == 1)
            kill(first[0], SIGKILL)
            try await tail.waitFor("server unreachable (ssh tunnel closed (ssh exited 137)")
            try await tail.waitFor("reopening it")
            let deadline = ContinuousClock.now + .seconds(20)
            while tail.stderr.text.components(separatedBy: "connected to ssh").count < 3, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(tail.stderr.text.components(separatedBy: "connected to ssh").count == 3, "\(tail.stderr.text)")
            let second = await sshd.tunnelProcesses(for: sshd.defaultSocket)
            #expect(second.count == 1 && second != first)
            _ = try await HTTP.send(
                "\(upstream.route(via: server.url, env: "after"))/v1/chat/completions",
                method: .POST,
                body: Array(#"{"model":"gpt-4o"}"#.utf8)
            )
            #expect(try await tail.waitForLines(1).first?.contains(#""env":"after""#) == true)
            tail.stop()
            #expect(await sshd.tunnelsEnd(for: sshd.defaultSocket, timeout: .seconds(5)) == [])
            await upstream.stop()
        }
    }

    /// The TUI's header names the ssh target; when the remote reboots (sshd and the tunnel go away) it
    /// says the tunnel closed and why, and is live again once sshd is back and the tunnel reopened.
    @Test(.enabled(if: tmuxAvailable, "skipped: needs tmux"))
    func theTUIHeaderShowsTheSSHTargetAndADeadTunnel() async throws {
        let sshd = try await SSHServer.start()
        defer { sshd.stop() }
        try await withLLMTrace(["--socket", sshd.defaultSocket]) { server in
            let command = ([LLMTraceProcess.binary.path, "tui", "--ssh", Self.target(sshd)] + Self.options(sshd)).map(Self.shellQuoted).joined(
                separator: " "
            )
            try await withTmux(command: command, width: 250, height: 30) { tmux in
                try await tmux.waitFor("● live  ssh \(Self.target(sshd)) → \(sshd.defaultSocket)")

                // The remote goes down: sshd first, then the tunnel's connection.
                sshd.stop()
                let first = await sshd.tunnelProcesses(for: sshd.defaultSocket)
                try #require(first.count == 1)
                kill(first[0], SIGKILL)
                try await tmux.waitFor(
                    "ssh tunnel closed (ssh exited 255: ssh: connect to host 127.0.0.1 port \(sshd.port): Connection refused); reopening it"
                )

                // It comes back: the tunnel is reopened and the TUI is live again.
                let again = try await sshd.restarted()
                defer { again.stop() }
                try await tmux.waitFor("● live", timeout: .seconds(30))
                try await tmux.send("q")
                try await tmux.waitUntilExited()
                #expect(await sshd.tunnelsEnd(for: sshd.defaultSocket, timeout: .seconds(5)) == [])
            }
        }
    }
}
