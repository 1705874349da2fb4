import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// The last answer on a connection llmtrace will not serve further: an ``APIError`` as JSON with
/// `Connection: close`, written from inside the channel pipeline.
///
/// After the answer the connection's output is closed and what the client still sends is read and
/// dropped, so the answer is not lost to a reset (closing a socket with unread bytes sends RST, which
/// can discard the answer on the client's side before it is read); the whole connection is closed
/// when the client closes it, or after ``linger`` at the latest.
struct ConnectionRefusal {
    /// The longest a refused connection stays open for the client to read the answer and close.
    static let linger: TimeAmount = .seconds(5)

    /// The answer.
    let error: APIError

    /// Writes the answer on `context` (a handler of ``HTTPResponsePart``s), then closes the output and,
    /// after ``linger``, the connection. The caller drops whatever the client sends from then on.
    func send(on context: ChannelHandlerContext) {
        let body = (try? AppRequestContext.encoder.encode(ErrorBody(type: error.type, message: error.message))) ?? Data()
        var headers = error.headers
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentLength] = String(body.count)
        headers[.connection] = "close"
        context.write(NIOAny(HTTPResponsePart.head(HTTPResponse(status: error.status, headerFields: headers))), promise: nil)
        context.write(NIOAny(HTTPResponsePart.body(ByteBuffer(bytes: body))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(NIOAny(HTTPResponsePart.end(nil)), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in
            context.close(mode: .output).assumeIsolated().whenFailure { _ in context.close(promise: nil) }
            context.eventLoop.assumeIsolated().scheduleTask(in: Self.linger) { context.close(promise: nil) }
        }
    }
}
