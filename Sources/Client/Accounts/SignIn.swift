import Foundation

/// `llmtrace login` and `llmtrace logout`: a session of a shared-mode server saved in, or removed from,
/// the credentials file.
public enum SignIn {
    /// What `logout` did.
    public enum LogoutOutcome: Sendable, Equatable {
        /// No session was saved for the server.
        case notSignedIn
        /// The server ended the session and the saved entry is gone.
        case signedOut(email: String)
        /// The saved entry is gone, but the server could not be told (the reason): the session stays
        /// valid there until its refresh token expires unused.
        case removedLocally(email: String, reason: String)
    }

    /// Signs in to the server `connection` reaches and saves the refresh token under its key.
    /// The connection must carry no authentication of its own.
    /// - Returns: who is signed in, and their teams.
    public static func login(
        _ connection: ServerConnection,
        email: String,
        password: String,
        store: CredentialsStore
    ) async throws(ClientError) -> AccountIdentity {
        let client = connection.client
        let pair = try await client.login(email: email, password: password)
        try await store.save(SavedSession(server: client.key.id, email: pair.user.email, refreshToken: pair.refreshToken))
        do {
            return try await client.me(accessToken: pair.accessToken)
        } catch {
            // The sign-in worked; the teams are a nicety.
            return AccountIdentity(user: pair.user, teams: [])
        }
    }

    /// Ends the saved session of `key`: tells the server through `connection` when there is one and it
    /// answers, and removes the entry in every case.
    public static func logout(
        key: ServerKey,
        connection: ServerConnection?,
        unreachableReason: String? = nil,
        store: CredentialsStore
    ) async throws(ClientError) -> LogoutOutcome {
        guard let saved = try store.session(for: key.id) else { return .notSignedIn }
        var problem = unreachableReason
        if let connection {
            do {
                try await connection.client.logout(refreshToken: saved.refreshToken)
            } catch .unreachable(_, let reason) {
                problem = reason
            } catch .sessionEnded, .unauthorized, .notSignedIn {
                problem = nil  // already ended there
            } catch {
                problem = error.description
            }
        }
        try await store.remove(key.id)
        if let problem { return .removedLocally(email: saved.email, reason: problem) }
        return .signedOut(email: saved.email)
    }
}
