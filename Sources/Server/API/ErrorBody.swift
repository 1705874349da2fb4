/// The JSON body of every error the proxy and the API answer with: `{"error":{"type":…,"message":…}}`.
/// ``APIError`` writes it; clients and tests can read it back.
struct ErrorBody: Codable, Sendable {
    /// The object under `error`.
    struct Inner: Codable, Sendable {
        var type: String
        var message: String
    }

    var error: Inner

    init(type: String, message: String) {
        error = Inner(type: type, message: message)
    }
}
