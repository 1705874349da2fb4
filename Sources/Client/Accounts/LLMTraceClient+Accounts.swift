import Foundation

/// The sign-in routes of a shared-mode server (docs/API.md, "Signing in").
extension LLMTraceClient {
    /// `POST /admin/login`: a new session for `email`.
    ///
    /// Throws ``ClientError/invalidCredentials`` for a wrong email or password,
    /// ``ClientError/tooManyAttempts(_:)`` when the server throttles, and ``ClientError/notSharedMode(_:)``
    /// when the server has no accounts.
    public func login(email: String, password: String) async throws(ClientError) -> TokenPair {
        let body = try Self.json(["email": email, "password": password])
        let (status, answer) = try await send("/admin/login", method: .POST, json: body, bearer: nil)
        switch status {
        case 200: return try decode(TokenPair.self, answer, "/admin/login")
        case 401 where Self.errorObject(answer).type == "invalid_credentials": throw .invalidCredentials
        case 429:
            let message = Self.errorObject(answer).message ?? ""
            let seconds = message.split(separator: " ").compactMap { Int($0) }.last ?? 60
            throw .tooManyAttempts(seconds)
        case 400: throw .http(400, Self.errorObject(answer).message ?? "the server refused the request")
        default:
            // A standalone server has no /admin routes (404, or 401 `unauthorized` behind its password).
            if Self.errorObject(answer).type == nil || status == 404 || status == 405 { throw .notSharedMode(key.label) }
            throw failure(status: status, body: answer)
        }
    }

    /// `POST /admin/refresh`: spends `refreshToken` for a new pair. A refused token is
    /// ``ClientError/sessionEnded(server:signIn:)``.
    func refreshTokens(_ refreshToken: String) async throws(ClientError) -> TokenPair {
        let body = try Self.json(["refreshToken": refreshToken])
        let (status, answer) = try await send("/admin/refresh", method: .POST, json: body, bearer: nil)
        switch status {
        case 200: return try decode(TokenPair.self, answer, "/admin/refresh")
        case 401: throw .sessionEnded(server: key.label, signIn: key.signInCommand)
        case 404, 405: throw .notSharedMode(key.label)
        default: throw failure(status: status, body: answer)
        }
    }

    /// `POST /admin/logout`: the session of `refreshToken` ends on the server.
    public func logout(refreshToken: String) async throws(ClientError) {
        let body = try Self.json(["refreshToken": refreshToken])
        let (status, answer) = try await send("/admin/logout", method: .POST, json: body, bearer: nil)
        guard (200..<300).contains(status) else {
            if status == 404 || status == 405 { throw .notSharedMode(key.label) }
            throw failure(status: status, body: answer)
        }
    }

    /// `GET /admin/me`: who is signed in, and their teams. With `accessToken`, that token is used
    /// instead of the client's authentication (right after ``login(email:password:)``).
    public func me(accessToken: String? = nil) async throws(ClientError) -> AccountIdentity {
        let (status, answer) =
            if let accessToken {
                try await send("/admin/me", method: .GET, json: nil, bearer: accessToken)
            } else {
                try await send("/admin/me")
            }
        guard status == 200 else {
            if status == 404 || status == 405 { throw .notSharedMode(key.label) }
            throw failure(status: status, body: answer)
        }
        return try decode(AccountIdentity.self, answer, "/admin/me")
    }

    private func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8], _ path: String) throws(ClientError) -> T {
        do {
            return try decoder.decode(T.self, from: Data(body))
        } catch {
            throw .decoding("\(path): \(error)")
        }
    }

    private static func json(_ object: [String: String]) throws(ClientError) -> [UInt8] {
        do {
            return Array(try JSONSerialization.data(withJSONObject: object))
        } catch {
            throw .input("cannot encode the request: \(error)")
        }
    }
}
