import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The llmtrace server `llmtrace run` starts when none answers: `llmtrace serve` on a free loopback
/// port (memory store, no unix socket: another server may hold the default one), for the length of the run.
public final class RunServer: Sendable {
    /// The server's address.
    public let address: ServerAddress
    private let process: ChildProcess

    private init(address: ServerAddress, process: ChildProcess) {
        self.address = address
        self.process = process
    }

    /// Starts `executable serve` on a free port and waits until it answers (at most `timeout`).
    public static func start(executable: String, timeout: Duration = .seconds(20)) async throws(ClientError) -> RunServer {
        let port = try freePort()
        let process: ChildProcess
        do {
            process = try ChildProcess(
                [executable, "serve", "--host", "127.0.0.1", "--port", String(port), "--no-socket", "--log-level", "warning"],
                captureOutput: false
            )
        } catch {
            throw ClientError.unreachable("127.0.0.1:\(port)", "cannot start an llmtrace server: \(error)")
        }
        let address = try ServerAddress("http://127.0.0.1:\(port)")
        let client = LLMTraceClient(server: address)
        defer { Task { await client.shutdown() } }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if process.exitStatus != nil {
                throw ClientError.unreachable(
                    address.description,
                    "the llmtrace server started for this run stopped: \(process.standardError.text.suffix(500))"
                )
            }
            if (try? await client.ping()) != nil { return RunServer(address: address, process: process) }
            try? await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw ClientError.unreachable(address.description, "the llmtrace server started for this run did not answer within \(timeout)")
    }

    /// Stops the server.
    public func stop() {
        process.terminate()
    }

    /// A TCP port free on 127.0.0.1 now (bound to port 0, then released).
    public static func freePort() throws(ClientError) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError.unreachable("127.0.0.1", "cannot open a socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw ClientError.unreachable("127.0.0.1", "cannot bind a port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
