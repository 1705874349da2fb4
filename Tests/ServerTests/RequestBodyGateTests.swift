import Hummingbird
import NIOCore
import Synchronization
import Testing

@testable import Server

@Suite struct RequestBodyGateTests {
    @Test func closingWaitsForAReadInProgressAndLaterReadsEndTheBody() async throws {
        let (stream, source) = AsyncStream.makeStream(of: ByteBuffer.self)
        let body = RequestBody(asyncSequence: stream)
        let gate = RequestBodyGate()
        let reader = Task {
            var iterator = body.makeAsyncIterator()
            let first = try await gate.next(&iterator)
            let second = try await gate.next(&iterator)
            return (first, second)
        }
        while !gate.isReading { await Task.yield() }

        let closed = Mutex(false)
        let closer = Task {
            await gate.close()
            closed.withLock { $0 = true }
        }
        // The read in progress holds the close back.
        for _ in 0..<200 { await Task.yield() }
        #expect(closed.withLock { $0 } == false)

        source.yield(ByteBuffer(string: "first piece"))
        await closer.value
        let (first, second) = try await reader.value
        #expect(first == ByteBuffer(string: "first piece"))
        // After the close the body ends for the upstream client: the rest is Hummingbird's to read.
        #expect(second == nil)
        #expect(gate.isReading == false)
        source.finish()
    }

    @Test func closingWithNoReadInProgressReturnsAtOnce() async throws {
        let gate = RequestBodyGate()
        await gate.close()
        let body = RequestBody(
            asyncSequence: AsyncStream<ByteBuffer> {
                $0.yield(ByteBuffer(string: "x"))
                $0.finish()
            }
        )
        var iterator = body.makeAsyncIterator()
        #expect(try await gate.next(&iterator) == nil)
    }
}
