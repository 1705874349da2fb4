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
    ///   - ssh: `--ssh user@host[:port]`.
    public static func open(
        server: String?, password: String?, ssh: String?, remoteSocket: String?, sshOptions: [String]
    ) async throws(ClientError) -> ServerConnection {
        if let ssh {
            let tunnel = try await SSHTunnel.open(target: ssh, remoteSocket: remoteSocket, options: sshOptions, password: password)
            return ServerConnection(
                client: LLMTraceClient(server: tunnel.address, password: password), tunnel: tunnel,
                label: "ssh \(ssh) → \(tunnel.remoteSocket)")
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

    /// Closes the client and the tunnel.
    public func close() async {
        await client.shutdown()
        tunnel?.close()
    }
}
