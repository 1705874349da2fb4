import Foundation

/// A signed-in session of one server: the access token in memory, the refresh token in the
/// ``CredentialsStore``. ``accessToken(exchange:)`` refreshes silently when the token is about to
/// expire; concurrent callers in this process share one refresh, and other processes take turns
/// through the store's lock.
public actor SessionTokens {
    /// The server this session belongs to.
    public nonisolated let key: ServerKey
    /// Where the refresh token is kept.
    public nonisolated let store: CredentialsStore
    private var access: (token: String, renewAt: ContinuousClock.Instant)?
    private var refreshing: Task<String, any Error>?

    public init(key: ServerKey, store: CredentialsStore) {
        self.key = key
        self.store = store
    }

    /// A valid access token: the one held, or a new one got with the saved refresh token.
    ///
    /// - Parameter exchange: `POST /admin/refresh` with a refresh token; throws
    ///   ``ClientError/sessionEnded(server:signIn:)`` when the server refuses it.
    func accessToken(exchange: @escaping @Sendable (String) async throws(ClientError) -> TokenPair) async throws(ClientError) -> String {
        if let access, ContinuousClock.now < access.renewAt { return access.token }
        let task: Task<String, any Error>
        if let refreshing {
            task = refreshing
        } else {
            let key = key
            let store = store
            task = Task { () async throws -> String in
                let pair = try await Self.refresh(key: key, store: store, exchange: exchange)
                return self.hold(pair)
            }
            refreshing = task
        }
        do {
            let token = try await task.value
            if refreshing == task { refreshing = nil }
            return token
        } catch {
            if refreshing == task { refreshing = nil }
            throw (error as? ClientError) ?? .credentials(String(describing: error))
        }
    }

    /// Forgets `token` (the server refused it): the next ``accessToken(exchange:)`` refreshes.
    func discard(_ token: String) {
        if access?.token == token { access = nil }
    }

    /// Holds a fresh pair's access token until shortly before it expires (a fifth of its life before,
    /// at most 30 s).
    private func hold(_ pair: TokenPair) -> String {
        let life = Double(max(pair.expiresIn, 1))
        access = (pair.accessToken, ContinuousClock.now + .milliseconds(Int64((life - min(30, life / 5)) * 1000)))
        return pair.accessToken
    }

    /// Under the store's lock: re-reads the saved refresh token (another process may have rotated it),
    /// spends it, and writes the new one back before the lock is let go. A refused token removes the
    /// saved session.
    static func refresh(
        key: ServerKey,
        store: CredentialsStore,
        exchange: @Sendable (String) async throws(ClientError) -> TokenPair
    ) async throws(ClientError) -> TokenPair {
        try await store.withLock { () async throws(ClientError) -> TokenPair in
            guard var saved = try store.session(for: key.id) else {
                throw .sessionEnded(server: key.label, signIn: key.signInCommand)
            }
            let pair: TokenPair
            do throws(ClientError) {
                pair = try await exchange(saved.refreshToken)
            } catch ClientError.sessionEnded(let server, let signIn) {
                try store.removeLocked(key.id)
                throw .sessionEnded(server: server, signIn: signIn)
            }
            saved.refreshToken = pair.refreshToken
            saved.savedAt = Date()
            try store.saveLocked(saved)
            return pair
        }
    }
}
