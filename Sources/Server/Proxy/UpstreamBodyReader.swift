import AsyncHTTPClient
import NIOCore

/// The upstream's response body as the proxy reads it: what was read ahead (to send a small answer in one
/// write) comes first, then the rest as it arrives. A failure met while reading ahead is thrown when the
/// reading reaches it, so the client still gets the bytes that came before it.
///
/// One task at a time reads it: the proxy's handler reads ahead, then hands it to the response body, which
/// Hummingbird writes after the handler returned. That handoff is why it is `@unchecked Sendable` (the
/// iterator it wraps is not Sendable).
final class UpstreamBodyReader: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var ahead: [ByteBuffer] = []
    private var failure: (any Error)?
    private var ended = false

    init(_ iterator: HTTPClientResponse.Body.AsyncIterator) {
        self.iterator = iterator
    }

    /// The whole body if it ends within `length` bytes and holds exactly that many, read ahead; `nil`
    /// otherwise (a longer, shorter or failed body), and what was read comes first from ``next()``.
    /// Calls `firstChunk` as the first piece arrives.
    func readWhole(length: Int, firstChunk: () -> Void) async -> ByteBuffer? {
        var count = 0
        while !ended, failure == nil, count <= length {
            do {
                guard let chunk = try await iterator.next() else {
                    ended = true
                    break
                }
                if ahead.isEmpty { firstChunk() }
                count += chunk.readableBytes
                ahead.append(chunk)
            } catch {
                failure = error
            }
        }
        guard ended, failure == nil, count == length else { return nil }
        guard ahead.count != 1 else { return ahead[0] }
        var whole = ByteBuffer()
        whole.reserveCapacity(length)
        for chunk in ahead { whole.writeImmutableBuffer(chunk) }
        return whole
    }

    /// The next piece of the body; `nil` at its end.
    func next() async throws -> ByteBuffer? {
        if !ahead.isEmpty { return ahead.removeFirst() }
        if let failure {
            self.failure = nil
            ended = true
            throw failure
        }
        if ended { return nil }
        return try await iterator.next()
    }
}
