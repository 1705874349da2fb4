import Foundation
import LLMTraceModel

/// Finds the server a client command should talk to and opens what it needs (an ssh tunnel).
public struct ServerConnection: Sendable {
    public let client: LLMTraceClient
    public let tunnel: SSHTunnel?
    /// How it was reached, for the user: `unix:///…`, `http://…`, or `ssh me@host → /remote/socket`.
    public let label: String

    /// - Parameters:
    ///   - server: `--server`; when `nil` (and no `ssh`), the local socket if a server answers there, else
    ///     `http://127.0.0.1:8080`.
    ///   - ssh: `--ssh user@host[:port]` or a host alias (see ``SSHTunnel``).
    ///   - sshConfig: `--ssh-config FILE`, read by ssh instead of `~/.ssh/config`.
    public static func open(
        server: String?,
        password: String?,
        ssh: String?,
        remoteSocket: String?,
        sshOptions: [String],
        sshConfig: String? = nil
    ) async throws(ClientError) -> ServerConnection {
        if let ssh {
            let tunnel = try await SSHTunnel.open(
                target: ssh,
                remoteSocket: remoteSocket,
                options: sshOptions,
                configFile: sshConfig,
                password: password
            )
            return ServerConnection(
                client: LLMTraceClient(server: tunnel.address, password: password),
                tunnel: tunnel,
                label: "ssh \(ssh) → \(tunnel.remoteSocket)"
            )
        }
        if let server {
            let address = try ServerAddress(server)
            return ServerConnection(client: LLMTraceClient(server: address, password: password), tunnel: nil, label: address.description)
        }
        let socket = SocketPath.defaultPath()
        if FileManager.default.fileExists(atPath: socket) {
            let local = LLMTraceClient(server: .unix(socket), password: password)
            do {
                try await local.ping()
                return ServerConnection(client: local, tunnel: nil, label: "unix://\(socket)")
            } catch .unauthorized(let s) {
                await local.shutdown()
                throw .unauthorized(s)
            } catch {
                await local.shutdown()
            }
        }
        let address = try ServerAddress("http://127.0.0.1:8080")
        return ServerConnection(client: LLMTraceClient(server: address, password: password), tunnel: nil, label: address.description)
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
