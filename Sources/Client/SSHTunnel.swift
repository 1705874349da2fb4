import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
private let systemClose = Glibc.close
#elseif canImport(Darwin)
import Darwin
private let systemClose = Darwin.close
#endif

/// Runs the system `ssh` to forward a local port to a remote llmtrace server's unix socket:
/// `ssh -N -L 127.0.0.1:PORT:/remote/llmtrace.sock user@host`. Close it with ``close()``.
///
/// ssh reads the user's `~/.ssh/config` as always (host aliases, `ProxyJump`, keys). It runs with
/// `BatchMode=yes`: it never asks for a password, a passphrase or a host key confirmation, so the login
/// must work without one (a key in ssh-agent or without a passphrase, a known host).
///
/// Once open, the tunnel watches its ssh: when it ends (a network drop, the remote rebooting) it is
/// started again on the same local port with backoff (0.25 s doubling to 5 s), and ``downReason`` says
/// why it is down meanwhile.
public final class SSHTunnel: Sendable {
    /// The forwarded address: `http://127.0.0.1:PORT`.
    public let address: ServerAddress
    /// `--ssh` as given: `user@host[:port]`, `host-alias`, `user@[::1]:port`.
    public let target: String
    public let remoteSocket: String
    private let arguments: [String]
    private let state: Mutex<State>

    private struct State {
        var child: ChildProcess
        var closed = false
        /// Set while ssh is down and being restarted.
        var down: String?
        var supervisor: Task<Void, Never>?
    }

    /// Parses `--ssh` into ssh arguments: `user@host`, `host-alias`, `user@host:port`, `user@[v6]:port`,
    /// `user@[v6]`, an unbracketed IPv6 literal (no port), or `ssh://user@host:port`.
    static func destination(_ target: String) throws(ClientError) -> [String] {
        guard !target.isEmpty, !target.hasPrefix("-"), !target.contains(where: \.isWhitespace) else {
            throw .ssh("expected --ssh user@host[:port] (or a host alias from ~/.ssh/config), got '\(target)'")
        }
        if target.hasPrefix("ssh://") { return [target] }
        let at = target.lastIndex(of: "@")
        let user = at.map { String(target[...$0]) } ?? ""
        let host = at.map { String(target[target.index(after: $0)...]) } ?? target
        func port(_ text: Substring) throws(ClientError) -> String {
            guard let n = Int(text), (1...65535).contains(n) else { throw .ssh("'\(text)' is not a port in --ssh \(target)") }
            return String(n)
        }
        if host.hasPrefix("[") {
            // [v6] or [v6]:port
            guard let close = host.firstIndex(of: "]"), host.index(after: host.startIndex) < close else {
                throw .ssh("'\(host)' in --ssh \(target) opens a bracket it does not close: write user@[::1]:2222")
            }
            let address = host[host.index(after: host.startIndex)..<close]
            let rest = host[host.index(after: close)...]
            if rest.isEmpty { return [user + address] }
            guard rest.hasPrefix(":") else { throw .ssh("expected :port after ] in --ssh \(target)") }
            return ["-p", try port(rest.dropFirst()), user + address]
        }
        // host:port, but not an IPv6 literal without brackets.
        if let colon = host.lastIndex(of: ":"), host.filter({ $0 == ":" }).count == 1 {
            return ["-p", try port(host[host.index(after: colon)...]), user + host[..<colon]]
        }
        return [target]
    }

    /// The options every ssh run gets: the user's `options` first (ssh keeps the first value it sees for
    /// an option, so they override these defaults), then `BatchMode=yes`, a connect timeout and keepalives
    /// (a dead network ends the tunnel in about 45 s, so it can be reopened).
    static func commonArguments(options: [String], configFile: String?) -> [String] {
        (configFile.map { ["-F", $0] } ?? []) + options.flatMap { ["-o", $0] } + [
            "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3",
        ]
    }

    /// Opens the tunnel and waits until the remote server answers through it.
    /// - Parameters:
    ///   - target: `user@host[:port]`, a host alias, `user@[v6]:port` (see ``destination(_:)``).
    ///   - remoteSocket: the server's socket on the remote machine; `nil` asks the remote shell for the
    ///     server's default (`$XDG_RUNTIME_DIR/llmtrace.sock` or `~/.llmtrace/llmtrace.sock`).
    ///   - options: extra `-o` options for ssh (`IdentityFile=…`, `ProxyJump=…`, `StrictHostKeyChecking=…`).
    ///   - configFile: an ssh config file to read instead of `~/.ssh/config` (`ssh -F`).
    ///   - password: the server's password, to check that it answers.
    public static func open(
        target: String,
        remoteSocket: String?,
        options: [String] = [],
        configFile: String? = nil,
        password: String? = nil,
        timeout: Duration = .seconds(20)
    ) async throws(ClientError) -> SSHTunnel {
        let destination = try destination(target)
        let common = commonArguments(options: options, configFile: configFile)
        let socket: String
        if let remoteSocket {
            socket = remoteSocket
        } else {
            socket = try await askForSocket(target: target, arguments: common + destination)
        }
        let port = try freePort()
        let arguments = ["ssh", "-N", "-o", "ExitOnForwardFailure=yes", "-L", "127.0.0.1:\(port):\(socket)"] + common + destination
        let child: ChildProcess
        do { child = try ChildProcess(arguments, captureOutput: false) } catch { throw .ssh(error.description) }

        let tunnel = SSHTunnel(
            address: try ServerAddress("http://127.0.0.1:\(port)"),
            target: target,
            remoteSocket: socket,
            arguments: arguments,
            child: child
        )
        let client = LLMTraceClient(server: tunnel.address, password: password)
        defer { Task { await client.shutdown() } }
        let deadline = ContinuousClock.now + timeout
        var lastError = "no answer yet"
        while ContinuousClock.now < deadline {
            if let status = child.exitStatus {
                await child.standardError.waitForEnd()
                tunnel.close()
                throw .ssh(explain(status: status, errors: child.standardError.text, target: target, destination: destination))
            }
            do {
                try await client.ping()
                tunnel.startSupervising()
                return tunnel
            } catch .unauthorized(let server) {
                tunnel.close()
                throw .unauthorized(server)
            } catch .notSignedIn {
                // A shared-mode server answered: it wants a signed-in session, which the caller brings.
                tunnel.startSupervising()
                return tunnel
            } catch {
                lastError = error.description
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        tunnel.close()
        throw .ssh(
            "ssh to \(target) is up, but no llmtrace server answered at \(socket) there within \(timeout) "
                + "(is it running, and is --remote-socket right?): \(lastError)"
        )
    }

    private init(address: ServerAddress, target: String, remoteSocket: String, arguments: [String], child: ChildProcess) {
        self.address = address
        self.target = target
        self.remoteSocket = remoteSocket
        self.arguments = arguments
        state = Mutex(State(child: child))
    }

    /// The current ssh process id.
    public var pid: pid_t { state.withLock { $0.child.pid } }

    /// Why the tunnel is down right now (ssh ended and is being restarted), or `nil` while ssh runs.
    public var downReason: String? {
        let (child, down) = state.withLock { ($0.child, $0.down) }
        if let down { return down }
        if let status = child.exitStatus { return explainLoss(status: status, child: child) + "; reopening it" }
        return nil
    }

    /// Stops ssh (SIGTERM; it has a clean signal mask) and stops reopening it.
    public func close() {
        let (child, supervisor) = state.withLock { s in
            s.closed = true
            return (s.child, s.supervisor)
        }
        supervisor?.cancel()
        child.terminate()
    }

    deinit { close() }

    /// Restarts ssh whenever it ends, until ``close()``.
    private func startSupervising() {
        let task = Task { [weak self] in
            var attempt = 0
            var startedAt = ContinuousClock.now
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                guard let self else { return }
                let (child, closed) = self.state.withLock { ($0.child, $0.closed) }
                if closed { return }
                guard let status = child.exitStatus else { continue }
                // Stayed up for a while: the next loss starts the backoff afresh.
                if ContinuousClock.now - startedAt > .seconds(30) { attempt = 0 }
                attempt += 1
                let delay = min(5000, 250 << min(attempt - 1, 5))
                let reason = self.explainLoss(status: status, child: child)
                self.state.withLock { $0.down = "\(reason); reopening it" }
                try? await Task.sleep(for: .milliseconds(delay))
                if Task.isCancelled { return }
                do {
                    let next = try ChildProcess(self.arguments, captureOutput: false)
                    startedAt = ContinuousClock.now
                    let stillOpen = self.state.withLock { s in
                        guard !s.closed else { return false }
                        s.child = next
                        s.down = nil
                        return true
                    }
                    if !stillOpen { next.terminate() }
                } catch {
                    self.state.withLock { $0.down = "ssh tunnel is down: \(String(describing: error))" }
                }
            }
        }
        let closed = state.withLock { s in
            s.supervisor = task
            return s.closed
        }
        if closed { task.cancel() }
    }

    private func explainLoss(status: Int32, child: ChildProcess) -> String {
        var said = Self.meaningful(child.standardError.text)
        if said.count > 300 { said = "…" + said.suffix(300) }
        return "ssh tunnel closed (ssh exited \(status)\(said.isEmpty ? "" : ": " + said))"
    }

    // MARK: Asking the remote for its socket

    /// The markers the remote's answer is printed between, so that whatever a login shell or an sshd
    /// banner prints around it does not matter.
    static let answerStart = "<llmtrace-socket "
    static let answerEnd = " llmtrace-socket>"

    /// The remote command: a POSIX `sh` script whatever the login shell, printing `ok|missing` and the path.
    static let socketQuery =
        #"sh -c 'if [ -n "$XDG_RUNTIME_DIR" ]; then p="$XDG_RUNTIME_DIR/llmtrace.sock"; else p="$HOME/.llmtrace/llmtrace.sock"; fi; "#
        + #"if [ -S "$p" ]; then s=ok; else s=missing; fi; printf "\n<llmtrace-socket %s %s llmtrace-socket>\n" "$s" "$p"'"#

    /// Reads the answer to ``socketQuery`` out of the remote's standard output: `(exists, path)`.
    static func parseSocketAnswer(_ output: String) -> (exists: Bool, path: String)? {
        var answer: (exists: Bool, path: String)?
        var rest = output[...]
        while let start = rest.range(of: answerStart) {
            rest = rest[start.upperBound...]
            guard let end = rest.range(of: answerEnd) else { break }
            let body = rest[..<end.lowerBound]
            rest = rest[end.upperBound...]
            guard let space = body.firstIndex(of: " ") else { continue }
            let flag = body[..<space]
            let path = String(body[body.index(after: space)...])
            if (flag == "ok" || flag == "missing") && path.hasPrefix("/") { answer = (exists: flag == "ok", path: path) }
        }
        return answer
    }

    private static func askForSocket(target: String, arguments: [String]) async throws(ClientError) -> String {
        let child: ChildProcess
        do { child = try ChildProcess(["ssh"] + arguments + [socketQuery], captureOutput: true) } catch { throw .ssh(error.description) }
        guard let status = await child.wait(timeout: .seconds(30)) else {
            child.terminate()
            throw .ssh("ssh \(target) did not answer within 30 s: \(meaningful(child.standardError.text))")
        }
        await child.standardOutput.waitForEnd()
        await child.standardError.waitForEnd()
        let destination = (try? Self.destination(target)) ?? [target]
        guard status == 0 else {
            throw .ssh(explain(status: status, errors: child.standardError.text, target: target, destination: destination))
        }
        guard let answer = parseSocketAnswer(child.standardOutput.text) else {
            let said = meaningful(child.standardError.text + "\n" + child.standardOutput.text)
            throw .ssh("could not ask \(target) for its llmtrace socket; pass --remote-socket PATH (ssh printed: \(said.isEmpty ? "nothing" : said))")
        }
        guard answer.exists else {
            throw .ssh(
                "no llmtrace server is listening on \(target): \(answer.path) is not a socket. Start `llmtrace` there, or pass --remote-socket PATH"
            )
        }
        return answer.path
    }

    // MARK: Explaining ssh's failures

    /// ssh's standard error without the notices that are not the problem, on one line.
    static func meaningful(_ errors: String) -> String {
        errors.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("Warning: Permanently added") }
            .joined(separator: " | ")
    }

    /// What a failed ssh run means, in words a user can act on.
    static func explain(status: Int32, errors: String, target: String, destination: [String]) -> String {
        let said = meaningful(errors)
        let manual = "ssh " + destination.joined(separator: " ") + " true"
        if errors.contains("Permission denied") || errors.contains("Too many authentication failures") {
            return "ssh could not log in to \(target) without asking for a password: load your key into ssh-agent "
                + "(ssh-add) or run `\(manual)` first (ssh said: \(said))"
        }
        if errors.contains("Host key verification failed") {
            return "ssh does not know \(target)'s host key and cannot ask in batch mode: run `\(manual)` once to check "
                + "and accept it, or pass --ssh-option StrictHostKeyChecking=accept-new (ssh said: \(said))"
        }
        if errors.contains("REMOTE HOST IDENTIFICATION HAS CHANGED") {
            return "\(target)'s host key has changed; ssh refuses to connect. Check why, then fix known_hosts (ssh said: \(said))"
        }
        return "ssh to \(target) exited with \(status): \(said.isEmpty ? "no message" : said)"
    }

    /// A loopback TCP port nothing listens on right now.
    static func freePort() throws(ClientError) -> Int {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw .ssh("cannot open a socket to find a free port") }
        defer { _ = systemClose(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw .ssh("cannot find a free local port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
