import Hummingbird
import NIOCore
import Synchronization

/// Keeps the upstream client and Hummingbird from reading the client's request body at the same time.
///
/// The request body is read from the connection's one inbound stream. AsyncHTTPClient reads it in a task
/// of its own while it sends the request upstream; once the response is written, Hummingbird reads
/// whatever is left of the body from the same stream before the next request on the connection. Two
/// readers at once trap in NIO. So the proxy closes the gate after writing each response: it waits for a
/// read in progress to return, and reads that start later end the body at once instead of touching the
/// stream.
final class RequestBodyGate: Sendable {
    private struct State {
        var reading = false
        var closed = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Whether a read is in progress (for tests).
    var isReading: Bool { state.withLock { $0.reading } }

    /// Reads the next piece of `iterator`, unless the gate is closed (then the body ends here).
    func next(_ iterator: inout RequestBody.AsyncIterator) async throws -> ByteBuffer? {
        let open = state.withLock { s -> Bool in
            guard !s.closed else { return false }
            s.reading = true
            return true
        }
        guard open else { return nil }
        defer {
            let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
                s.reading = false
                defer { s.waiters.removeAll() }
                return s.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
        return try await iterator.next()
    }

    /// Closes the gate and returns once no read is in progress.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { s -> Bool in
                s.closed = true
                guard s.reading else { return true }
                s.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}

extension ResponseBody {
    /// This body, then `after` once it is written (or failed to be).
    func then(_ after: @escaping @Sendable () async -> Void) -> ResponseBody {
        let body = self
        return ResponseBody(contentLength: contentLength) { writer in
            do {
                let copy = body
                try await copy.write(writer)
            } catch {
                await after()
                throw error
            }
            await after()
        }
    }
}
