import Foundation
import Hummingbird
import LLMTraceModel
import NIOCore

/// The request context of llmtrace's HTTP server: Hummingbird's core storage, with llmtrace's JSON
/// settings (camelCase, ISO-8601 UTC dates with milliseconds, sorted keys) as the encoder of every
/// `ResponseEncodable` answer and every ``APIError`` body, and as the decoder of JSON request bodies.
struct AppRequestContext: RequestContext {
    /// Hummingbird's per-request storage (logger, route parameters, endpoint path).
    var coreContext: CoreRequestContextStorage

    /// The encoder answers are written with: ``JSONCoding/makeEncoder(pretty:sorted:)``.
    static let encoder = JSONCoding.makeEncoder()
    private static let decoder = JSONCoding.makeDecoder()

    /// Who is calling, in shared mode, once ``BearerAuthMiddleware`` checked the access token.
    var identity: AdminIdentity?
    /// The address of the connection's peer; `nil` on the unix socket.
    let peerAddress: IPAddress?
    /// Who the request comes from: the peer, or the client a trusted reverse proxy names
    /// (``RootResponder`` sets it from `--trusted-proxy` and the forwarding headers).
    var client: ForwardedClient
    /// Whether the peer is a trusted reverse proxy (its forwarding headers were meant for llmtrace).
    var fromTrustedProxy = false

    /// The client's IP address (for the login throttle, the audit log and the logs), when there is one.
    var remoteAddress: String? { client.address?.description }

    /// The client for a log line: `203.0.113.7`, `203.0.113.7 via 127.0.0.1` when a trusted proxy named
    /// it, or `the unix socket`.
    var origin: String {
        guard let address = client.address else { return "the unix socket" }
        guard let peerAddress, peerAddress != address else { return address.description }
        return "\(address) via \(peerAddress)"
    }

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        peerAddress = source.channel.remoteAddress.flatMap { IPAddress($0) }
        client = ForwardedClient(peer: peerAddress)
    }

    /// Encodes `ResponseEncodable` answers and ``APIError`` bodies: the shared ``encoder``.
    var responseEncoder: JSONEncoder { Self.encoder }
    /// Decodes JSON request bodies: ``JSONCoding/makeDecoder()``.
    var requestDecoder: JSONDecoder { Self.decoder }
}
