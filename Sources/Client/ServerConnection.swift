import Foundation
import LLMTraceModel

/// Finds the server a client command should talk to and opens what it needs (an ssh tunnel).
public struct ServerConnection: Sendable {
    public let client: LLMTraceClient
    public let tunnel: SSHTunnel?
    /// How it was reached, for the user: `unix:///…`, `http://…`, or `ssh me@host → /remote/socket`.
    public let label: String

    /// The server's key for saved sessions (``ServerKey``).
    public var key: ServerKey { client.key }

    /// The signed-in session in use, if any.
    public var session: SessionTokens? {
        if case .session(let session) = client.authentication { return session }
        return nil
    }

    /// - Parameters:
    ///   - server: `--server`; when `nil` (and no `ssh`), the local socket if a server answers there, else
    ///     `http://127.0.0.1:8080`.
    ///   - password: a standalone server's `--password`; it wins over a saved session.
    ///   - ssh: `--ssh user@host[:port]` or a host alias (see ``SSHTunnel``).
    ///   - sshConfig: `--ssh-config FILE`, read by ssh instead of `~/.ssh/config`.
    ///   - credentials: where saved sessions are kept; without a password, the server's saved session
    ///     (if any) signs the requests. `nil` signs nothing (what `login` needs).
    public static func open(
        server: String?,
        password: String?,
        ssh: String?,
        remoteSocket: String?,
        sshOptions: [String],
        sshConfig: String? = nil,
        credentials: CredentialsStore? = nil
    ) async throws(ClientError) -> ServerConnection {
        func client(_ address: ServerAddress, key: ServerKey) throws(ClientError) -> LLMTraceClient {
            if let password { return LLMTraceClient(server: address, key: key, authentication: .password(password)) }
            if let credentials, try credentials.session(for: key.id) != nil {
                return LLMTraceClient(server: address, key: key, authentication: .session(SessionTokens(key: key, store: credentials)))
            }
            return LLMTraceClient(server: address, key: key, authentication: .none)
        }
        if let ssh {
            let tunnel = try await SSHTunnel.open(
                target: ssh,
                remoteSocket: remoteSocket,
                options: sshOptions,
                configFile: sshConfig,
                password: password
            )
            do {
                return ServerConnection(
                    client: try client(tunnel.address, key: ServerKey(sshTarget: ssh, remoteSocket: remoteSocket)),
                    tunnel: tunnel,
                    label: "ssh \(ssh) → \(tunnel.remoteSocket)"
                )
            } catch {
                tunnel.close()
                throw error
            }
        }
        if let server {
            let address = try ServerAddress(server)
            return ServerConnection(client: try client(address, key: ServerKey(address: address)), tunnel: nil, label: address.description)
        }
        let socket = SocketPath.defaultPath()
        if FileManager.default.fileExists(atPath: socket) {
            let address = ServerAddress.unix(socket)
            let local = try client(address, key: ServerKey(address: address))
            do {
                try await local.ping()
                return ServerConnection(client: local, tunnel: nil, label: "unix://\(socket)")
            } catch let error where error.isRefusal {
                // A server answered there but refuses us (a password, a sign-in): say so rather than
                // trying another address.
                await local.shutdown()
                throw error
            } catch {
                await local.shutdown()
            }
        }
        let address = try ServerAddress("http://127.0.0.1:8080")
        return ServerConnection(client: try client(address, key: ServerKey(address: address)), tunnel: nil, label: address.description)
    }

    /// The client's live event stream (``LLMTraceClient/events(env:model:filter:)``); while an ssh tunnel
    /// is down, the reconnecting state says so instead of the bare "connection refused".
    public func events(env: String? = nil, model: String? = nil, filter: String? = nil) -> AsyncStream<LLMTraceClient.Update> {
        let updates = client.events(env: env, model: model, filter: filter)
        guard let tunnel else { return updates }
        let (stream, continuation) = AsyncStream.makeStream(of: LLMTraceClient.Update.self, bufferingPolicy: .unbounded)
        let task = Task {
            for await update in updates {
                if case .state(.reconnecting(_, let attempt, let retry)) = update, let down = tunnel.downReason {
                    continuation.yield(.state(.reconnecting(reason: down, attempt: attempt, retryInSeconds: retry)))
                } else {
                    continuation.yield(update)
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Closes the client and the tunnel.
    public func close() async {
        await client.shutdown()
        tunnel?.close()
    }
}
