import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP listener on a free loopback port that is not an HTTP server: each connection runs a
/// script on a thread of its own, which reads and writes raw bytes. It can answer with garbage, stall
/// after a partial response, or reset the connection (RST), which no HTTP framework lets a test do.
final class RawUpstream: Sendable {
    let port: Int
    private let listener: Int32
    private let counters = Counters()

    final class Counters: Sendable {
        let stopped = Mutex(false)
        /// Connections whose peer (llmtrace) closed them while the script waited for it.
        let peerClosed = Mutex(0)
        /// Connections whose script is still running.
        let open = Mutex<[RawConnection]>([])
        let acceptorEnded = Mutex(false)
    }

    var peerClosed: Int { counters.peerClosed.withLock { $0 } }

    /// Starts listening; `script` runs once per accepted connection, on its own thread.
    init(script: @escaping @Sendable (RawConnection) -> Void) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ProcessFailure("socket() failed: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            Glibc.close(fd)
            throw ProcessFailure("cannot listen on 127.0.0.1: errno \(errno)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: actual.sin_port))

        let counters = self.counters
        let thread = Thread {
            defer { counters.acceptorEnded.withLock { $0 = true } }
            while !counters.stopped.withLock({ $0 }) {
                let client = accept(fd, nil, nil)
                if client < 0 {
                    if errno == EINTR { continue }
                    return  // the listener was shut down
                }
                let connection = RawConnection(fd: client) { counters.peerClosed.withLock { $0 += 1 } }
                counters.open.withLock { $0.append(connection) }
                Thread {
                    script(connection)
                    connection.close()
                    counters.open.withLock { $0.removeAll { $0 === connection } }
                }.start()
            }
        }
        thread.start()
    }

    /// The proxy route prefix that reaches this listener through llmtrace at `proxy`.
    func route(via proxy: String, env: String = "faults") -> String { "\(proxy)/proxy/\(env)/http/127.0.0.1:\(port)" }

    func stop() {
        guard
            !counters.stopped.withLock({ s in
                defer { s = true }
                return s
            })
        else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
    }

    /// Stops listening, cuts the connections still open (which wakes their scripts) and waits, at most
    /// `timeout`, for the scripts to end.
    func shutDown(timeout: Duration = .seconds(10)) async {
        stop()
        for connection in counters.open.withLock({ $0 }) { connection.cut() }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if counters.acceptorEnded.withLock({ $0 }), counters.open.withLock({ $0.isEmpty }) { return }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    deinit { stop() }
}

/// One accepted connection of a ``RawUpstream``.
final class RawConnection: Sendable {
    let fd: Int32
    private let closed = Mutex(false)
    /// Set by ``cut()``: the upstream is shutting down, so waits end early.
    private let isCut = Mutex(false)
    private let onPeerClosed: @Sendable () -> Void

    init(fd: Int32, onPeerClosed: @escaping @Sendable () -> Void) {
        self.fd = fd
        self.onPeerClosed = onPeerClosed
    }

    /// Reads the request head (and a body announced by Content-Length); `nil` if none came within `timeout` seconds.
    func readRequest(timeout: Double = 10) -> String? {
        var bytes: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        var bodyLength: Int?
        var headEnd: Int?
        while Date() < deadline {
            if let end = headEnd, bytes.count >= end + (bodyLength ?? 0) { return String(decoding: bytes, as: UTF8.self) }
            guard let chunk = read(timeout: deadline.timeIntervalSinceNow), !chunk.isEmpty else { return nil }
            bytes += chunk
            if headEnd == nil, let range = findHeadEnd(bytes) {
                headEnd = range
                let head = String(decoding: bytes[..<range], as: UTF8.self).lowercased()
                if let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }) {
                    bodyLength = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
                }
            }
        }
        return nil
    }

    private func findHeadEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i + 4
        }
        return nil
    }

    /// Bytes available within `timeout` seconds: empty at end of stream, `nil` on timeout or error.
    private func read(timeout: Double) -> [UInt8]? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, Int32(max(0, min(timeout, 3600)) * 1000))
        guard ready > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &buffer, buffer.count, 0)
        if n < 0 { return errno == ECONNRESET ? [] : nil }
        return Array(buffer.prefix(n))
    }

    func write(_ text: String) { write(Array(text.utf8)) }

    func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    /// One HTTP/1.1 chunk of a chunked body.
    func writeChunk(_ bytes: [UInt8]) {
        write(Array(String(bytes.count, radix: 16).utf8) + [13, 10] + bytes + [13, 10])
    }

    /// Waits until the peer closes the connection (reading and discarding anything it sends); whether it did within `timeout` seconds.
    @discardableResult
    func waitForPeerClose(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) >= 0 else { break }
            guard poller.revents != 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            if recv(fd, &buffer, buffer.count, 0) <= 0 {
                if !isCut.withLock({ $0 }) { onPeerClosed() }
                return true
            }
        }
        return false
    }

    /// Waits until `condition` holds (at most `timeout` seconds).
    func waitUntil(timeout: Double = 30, _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition(), !isCut.withLock({ $0 }), Date() < deadline { usleep(5_000) }
    }

    /// Closes the connection with a TCP reset (SO_LINGER with a zero timeout) instead of a FIN.
    func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close()
    }

    func close() {
        closed.withLock { closed in
            guard !closed else { return }
            closed = true
            _ = Glibc.close(fd)
        }
    }

    /// Shuts the connection down in both directions, if it is still open: a script blocked reading it
    /// or waiting for its peer wakes up and ends.
    func cut() {
        isCut.withLock { $0 = true }
        closed.withLock { closed in
            if !closed { _ = shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }
}
