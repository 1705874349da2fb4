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
    /// The client's IP address (for the login throttle and the audit log), when the channel has one.
    var remoteAddress: String?

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Encodes `ResponseEncodable` answers and ``APIError`` bodies: the shared ``encoder``.
    var responseEncoder: JSONEncoder { Self.encoder }
    /// Decodes JSON request bodies: ``JSONCoding/makeDecoder()``.
    var requestDecoder: JSONDecoder { Self.decoder }
}
