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

    init(_ arguments: [String]) throws {
        process.executableURL = LLMTraceProcess.binary
        process.arguments = arguments
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

    /// Interrupts the command (as ctrl-c would) and waits up to 5 s for it to exit.
    func stop() {
        guard ProcessExit.status(of: process) == nil else { return }
        process.interrupt()
        for _ in 0..<500 where ProcessExit.status(of: process) == nil { usleep(10_000) }
        if ProcessExit.status(of: process) == nil { kill(process.processIdentifier, SIGKILL) }
    }
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
final class SSHServer: Sendable {
    let directory: URL
    let port: Int
    let process: Process

    /// `-o` options a client needs to log in.
    var clientOptions: [String] {
        ["IdentityFile=\(directory.appendingPathComponent("client_key").path)", "StrictHostKeyChecking=no", "UserKnownHostsFile=/dev/null", "LogLevel=ERROR"]
    }

    static func start() async throws -> SSHServer {
        let dir = try makeTempDirectory()
        for key in ["host_key", "client_key"] {
            let (status, output) = try await runCommand(URL(fileURLWithPath: "/usr/bin/ssh-keygen"), ["-q", "-t", "ed25519", "-N", "", "-f", dir.appendingPathComponent(key).path])
            guard status == 0 else { throw ProcessFailure("ssh-keygen failed: \(output)") }
        }
        try FileManager.default.copyItem(at: dir.appendingPathComponent("client_key.pub"), to: dir.appendingPathComponent("authorized_keys"))
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        let port = try SSHTunnel.freePort()
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

            """
        try config.write(to: dir.appendingPathComponent("sshd_config"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/sshd")
        process.arguments = ["-D", "-e", "-f", dir.appendingPathComponent("sshd_config").path]
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let server = SSHServer(directory: dir, port: port, process: process)
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if (try? StalledConnection(port: port, request: "")) .map({ $0.close(); return true }) == true { return server }
            if let status = ProcessExit.status(of: process) { throw ProcessFailure("sshd exited with \(status)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ProcessFailure("sshd did not listen on \(port)")
    }

    private init(directory: URL, port: Int, process: Process) {
        self.directory = directory
        self.port = port
        self.process = process
    }

    /// Whether an `ssh -N -L …:socket` process is still running.
    func hasTunnelProcess(for socket: String) async -> Bool {
        let (status, _) = (try? await runCommand(URL(fileURLWithPath: "/usr/bin/pgrep"), ["-f", "ssh -N .*\(socket)"])) ?? (1, "")
        return status == 0
    }

    func stop() {
        guard ProcessExit.status(of: process) == nil else { return }
        // SIGKILL: a process started from a worker thread inherits a mask that blocks SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        for _ in 0..<500 where ProcessExit.status(of: process) == nil { usleep(10_000) }
    }
}
