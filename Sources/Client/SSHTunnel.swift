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
public final class SSHTunnel: Sendable {
    /// The forwarded address: `http://127.0.0.1:PORT`.
    public let address: ServerAddress
    public let remoteSocket: String
    private let process: Process

    /// Parses `user@host[:port]` into ssh arguments.
    static func destination(_ target: String) throws(ClientError) -> [String] {
        guard !target.isEmpty, !target.hasPrefix("-") else { throw .ssh("expected --ssh user@host[:port], got '\(target)'") }
        // host:port, but not an IPv6 literal without brackets.
        if let colon = target.lastIndex(of: ":"), target.filter({ $0 == ":" }).count == 1 {
            let port = String(target[target.index(after: colon)...])
            guard let n = Int(port), (1...65535).contains(n) else { throw .ssh("'\(port)' is not a port in --ssh \(target)") }
            return ["-p", port, String(target[..<colon])]
        }
        return [target]
    }

    /// Opens the tunnel and waits until the remote server answers through it.
    /// - Parameters:
    ///   - target: `user@host[:port]`.
    ///   - remoteSocket: the server's socket on the remote machine; `nil` asks the remote shell for the
    ///     server's default (`$XDG_RUNTIME_DIR/llmtrace.sock` or `~/.llmtrace/llmtrace.sock`).
    ///   - options: extra `-o` options for ssh (`IdentityFile=…`, `StrictHostKeyChecking=…`).
    ///   - password: the server's password, to check that it answers.
    public static func open(
        target: String, remoteSocket: String?, options: [String] = [], password: String? = nil, timeout: Duration = .seconds(20)
    ) async throws(ClientError) -> SSHTunnel {
        let destination = try destination(target)
        let common = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=10"] + options.flatMap { ["-o", $0] }
        let socket: String
        if let remoteSocket {
            socket = remoteSocket
        } else {
            let (status, output) = try await run(common + destination + [#"printf '%s' "${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/llmtrace.sock}${XDG_RUNTIME_DIR:-$HOME/.llmtrace/llmtrace.sock}""#])
            guard status == 0, output.hasPrefix("/") else {
                throw .ssh("could not ask \(target) for its llmtrace socket (ssh exited \(status)): \(output.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            socket = output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ssh", "-N", "-o", "ExitOnForwardFailure=yes", "-L", "127.0.0.1:\(port):\(socket)"] + common + destination
        let errors = Pipe()
        let errorOutput = Output()
        errors.fileHandleForReading.readabilityHandler = { h in errorOutput.append(h.availableData) }
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw .ssh("cannot run ssh: \(error.localizedDescription)") }

        let tunnel = SSHTunnel(address: try ServerAddress("http://127.0.0.1:\(port)"), remoteSocket: socket, process: process)
        let client = LLMTraceClient(server: tunnel.address, password: password)
        defer { Task { await client.shutdown() } }
        let deadline = ContinuousClock.now + timeout
        var lastError = "no answer yet"
        while ContinuousClock.now < deadline {
            if let status = ProcessExit.status(of: process) {
                try? await Task.sleep(for: .milliseconds(20))
                throw .ssh("ssh to \(target) exited with \(status): \(errorOutput.text.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            do {
                try await client.ping()
                return tunnel
            } catch .unauthorized(let server) {
                tunnel.close()
                throw .unauthorized(server)
            } catch {
                lastError = error.description
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        tunnel.close()
        throw .ssh("the tunnel to \(target):\(socket) did not answer within \(timeout): \(lastError)")
    }

    private init(address: ServerAddress, remoteSocket: String, process: Process) {
        self.address = address
        self.remoteSocket = remoteSocket
        self.process = process
    }

    /// The ssh process, for a signal handler that must end it.
    public var pid: pid_t { process.processIdentifier }

    /// Stops ssh. SIGKILL, because ssh started from a worker thread inherits a signal mask that blocks
    /// SIGTERM; `ssh -N` has nothing to clean up.
    public func close() {
        guard ProcessExit.status(of: process) == nil else { return }
        kill(process.processIdentifier, SIGKILL)
        for _ in 0..<100 where ProcessExit.status(of: process) == nil { usleep(10_000) }
    }

    deinit { close() }

    /// Runs `ssh arguments…` to completion (at most 30 s) without blocking a thread.
    private static func run(_ arguments: [String]) async throws(ClientError) -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ssh"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let output = Output()
        pipe.fileHandleForReading.readabilityHandler = { h in output.append(h.availableData) }
        do { try process.run() } catch { throw .ssh("cannot run ssh: \(error.localizedDescription)") }
        guard let status = await ProcessExit.wait(for: process, timeout: .seconds(30)) else {
            process.terminate()
            throw .ssh("ssh \(arguments.last ?? "") did not answer within 30 s")
        }
        try? await Task.sleep(for: .milliseconds(20))
        pipe.fileHandleForReading.readabilityHandler = nil
        return (status, output.text)
    }

    private final class Output: Sendable {
        private let data = Mutex(Data())
        func append(_ d: Data) { data.withLock { $0.append(d) } }
        var text: String { data.withLock { String(decoding: $0, as: UTF8.self) } }
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
