import Foundation

@testable import Client

#if canImport(Glibc)
import Glibc
#endif

/// `llmtrace tail …` (or any client command) running in the background, its output collected.
final class TailProcess: Sendable {
    let process = Process()
    let stdout = OutputBuffer()
    let stderr = OutputBuffer()

    init(_ arguments: [String], environment: [String: String]? = nil) throws {
        process.executableURL = LLMTraceProcess.binary
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdout = self.stdout
        let stderr = self.stderr
        out.fileHandleForReading.readabilityHandler = { h in stdout.append(String(decoding: h.availableData, as: UTF8.self)) }
        err.fileHandleForReading.readabilityHandler = { h in stderr.append(String(decoding: h.availableData, as: UTF8.self)) }
        try process.run()
    }

    /// Waits until `text` appears on stdout or stderr.
    func waitFor(_ text: String, timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if stdout.text.contains(text) || stderr.text.contains(text) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ProcessFailure("'\(text)' did not appear within \(timeout).\nstdout: \(stdout.text)\nstderr: \(stderr.text)")
    }

    /// Waits for `count` complete lines on stdout.
    func waitForLines(_ count: Int, timeout: Duration = .seconds(30)) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let lines = stdout.text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            if lines.count >= count, stdout.text.hasSuffix("\n") { return lines }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ProcessFailure("expected \(count) lines within \(timeout).\nstdout: \(stdout.text)\nstderr: \(stderr.text)")
    }

    /// Its exit status once it has exited, else `nil`.
    var exitStatus: Int32? { ProcessExit.status(of: process) }

    /// Waits (without blocking a thread) up to `timeout` for it to exit; returns its status.
    func waitForExit(timeout: Duration) async -> Int32? {
        await ProcessExit.wait(for: process, timeout: timeout)
    }

    /// Interrupts the command (as ctrl-c would) and waits up to 5 s for it to exit.
    func stop() {
        guard ProcessExit.status(of: process) == nil else { return }
        process.interrupt()
        for _ in 0..<500 where ProcessExit.status(of: process) == nil { usleep(10_000) }
        if ProcessExit.status(of: process) == nil { kill(process.processIdentifier, SIGKILL) }
    }
}

/// Whether `pid` is gone or a zombie (exited, not yet reaped by its parent), from /proc.
func processHasExited(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return true }
    let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
    return state == "Z" || state == "X"
}

/// A TCP connection that sends one request and then never reads.
final class StalledConnection: Sendable {
    let fd: Int32

    init(port: Int, request: String) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        // A small receive buffer makes the server's writes back up quickly.
        var size: Int32 = 4096
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        let connected = withUnsafePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ProcessFailure("cannot connect to 127.0.0.1:\(port)") }
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
    }

    func close() { _ = Glibc.close(fd) }
}

/// A throwaway sshd on a loopback port that accepts one generated key, for testing `--ssh` for real.
///
/// The remote user is the one running the tests; its sessions get `XDG_RUNTIME_DIR=<directory>/run`, so
/// the remote's default llmtrace socket is ``defaultSocket``, owned by the test.
final class SSHServer: Sendable {
    let directory: URL
    let port: Int
    let process: Process

    /// What a login prints around the answer to a command.
    struct Noise: OptionSet, Sendable {
        let rawValue: Int
        /// An sshd `Banner` (ssh prints it on stderr).
        static let banner = Noise(rawValue: 1)
        /// A login that prints to stdout and stderr before running the command (as a chatty `~/.bashrc` does).
        static let shell = Noise(rawValue: 2)
    }

    /// `-o` options a client needs to log in: its key, and a known_hosts file that starts empty with
    /// `accept-new`, as a first contact with a host is. ssh logs at its default level.
    var clientOptions: [String] {
        ["IdentityFile=\(clientKey)", "IdentitiesOnly=yes", "UserKnownHostsFile=\(knownHosts)", "StrictHostKeyChecking=accept-new"]
    }
    var clientKey: String { directory.appendingPathComponent("client_key").path }
    var knownHosts: String { directory.appendingPathComponent("known_hosts").path }
    /// The remote's default llmtrace socket (`$XDG_RUNTIME_DIR/llmtrace.sock`).
    var defaultSocket: String { directory.appendingPathComponent("run/llmtrace.sock").path }

    /// - Parameters:
    ///   - noise: what the login prints besides the answer.
    ///   - ipv6: listen on `[::1]` too.
    ///   - extraKeys: more public keys to accept.
    static func start(noise: Noise = [], ipv6: Bool = false, extraKeys: [URL] = []) async throws -> SSHServer {
        let dir = try makeTempDirectory()
        for key in ["host_key", "client_key"] {
            let (status, output) = try await runCommand(
                URL(fileURLWithPath: "/usr/bin/ssh-keygen"),
                ["-q", "-t", "ed25519", "-N", "", "-f", dir.appendingPathComponent(key).path]
            )
            guard status == 0 else { throw ProcessFailure("ssh-keygen failed: \(output)") }
        }
        var authorized = try String(contentsOf: dir.appendingPathComponent("client_key.pub"), encoding: .utf8)
        for key in extraKeys { authorized += try String(contentsOf: key, encoding: .utf8) }
        try authorized.write(to: dir.appendingPathComponent("authorized_keys"), atomically: true, encoding: .utf8)
        try Data().write(to: dir.appendingPathComponent("known_hosts"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("run"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        let port = try SSHTunnel.freePort()
        let environment = "XDG_RUNTIME_DIR=\(dir.appendingPathComponent("run").path)"
        var extra = ""
        if noise.contains(.banner) {
            try "*** Authorized use only. ***\nThis banner goes to the client's stderr.\n".write(
                to: dir.appendingPathComponent("banner"),
                atomically: true,
                encoding: .utf8
            )
            extra += "Banner \(dir.appendingPathComponent("banner").path)\n"
        }
        if noise.contains(.shell) {
            // A login that prints before it runs the command, as a chatty ~/.bashrc does. (Not BASH_ENV: every
            // bash the user's own startup files start would print too.)
            let login = dir.appendingPathComponent("noisy-login")
            try """
            #!/bin/sh
            echo 'Welcome! You have new mail.'
            echo 'login: something on stderr' >&2
            printf '/not/the/socket'
            exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"

            """.write(to: login, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: login.path)
            extra += "ForceCommand \(login.path)\n"
        }
        if ipv6 { extra += "ListenAddress [::1]:\(port)\n" }
        let config = """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(dir.appendingPathComponent("host_key").path)
            AuthorizedKeysFile \(dir.appendingPathComponent("authorized_keys").path)
            PidFile \(dir.appendingPathComponent("sshd.pid").path)
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            StrictModes no
            UsePAM no
            AllowTcpForwarding yes
            AllowStreamLocalForwarding yes
            SetEnv \(environment)
            \(extra)
            """
        try config.write(to: dir.appendingPathComponent("sshd_config"), atomically: true, encoding: .utf8)
        return try await launch(directory: dir, port: port)
    }

    /// Runs sshd with the configuration in `directory` and waits until it listens on `port`.
    private static func launch(directory dir: URL, port: Int) async throws -> SSHServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/sshd")
        process.arguments = ["-D", "-e", "-f", dir.appendingPathComponent("sshd_config").path]
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let server = SSHServer(directory: dir, port: port, process: process)
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if (try? StalledConnection(port: port, request: "")).map({
                $0.close()
                return true
            }) == true {
                return server
            }
            if let status = ProcessExit.status(of: process) { throw ProcessFailure("sshd exited with \(status)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        server.stop()
        throw ProcessFailure("sshd did not listen on \(port)")
    }

    /// The same sshd (configuration, host key, port) started again after ``stop()``, as after a reboot.
    func restarted() async throws -> SSHServer {
        try await Self.launch(directory: directory, port: port)
    }

    private init(directory: URL, port: Int, process: Process) {
        self.directory = directory
        self.port = port
        self.process = process
    }

    /// The pids of live `ssh -N …` processes forwarding to `socket` (each test uses a socket of its own).
    /// Read from /proc rather than with pgrep: tests poll this, and starting processes is slow under load.
    func tunnelProcesses(for socket: String) async -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard arguments.first.map({ $0 == "ssh" || $0.hasSuffix("/ssh") }) == true, arguments.contains("-N"),
                arguments.contains(where: { $0.hasSuffix(":" + socket) })
            else { return false }
            return !processHasExited(pid)
        }
    }

    /// Whether an `ssh -N -L …:socket` process is still running.
    func hasTunnelProcess(for socket: String) async -> Bool {
        !(await tunnelProcesses(for: socket)).isEmpty
    }

    /// Waits up to `timeout` for every tunnel to `socket` to end; kills (and reports) any left after that.
    func tunnelsEnd(for socket: String, timeout: Duration) async -> [pid_t] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if !(await hasTunnelProcess(for: socket)) { return [] }
            try? await Task.sleep(for: .milliseconds(50))
        }
        let left = await tunnelProcesses(for: socket)
        for pid in left { kill(pid, SIGKILL) }
        return left
    }

    func stop() {
        guard ProcessExit.status(of: process) == nil else { return }
        // SIGKILL: a process started from a worker thread inherits a mask that blocks SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        for _ in 0..<500 where ProcessExit.status(of: process) == nil { usleep(10_000) }
    }
}
