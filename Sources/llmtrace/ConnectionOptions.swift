import ArgumentParser
import Client
import Foundation

/// How a client command (`tail`, `tui`) reaches a server.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: "Server: http://host:port or unix:///path (default: the local socket, else http://127.0.0.1:8080).")
    var server: String?
    @Option(name: [.customShort("P"), .long], help: "The server's password (or LLMTRACE_PASSWORD).")
    var password: String?
    @Option(name: .long, help: "Reach a remote server through ssh: user@host[:port], user@[::1]:port, or a host alias from ~/.ssh/config.")
    var ssh: String?
    @Option(name: .long, help: "With --ssh: the server's socket on the remote machine (default: its default socket).")
    var remoteSocket: String?
    @Option(name: .long, help: "With --ssh: an extra ssh -o option, e.g. IdentityFile=~/.ssh/id_ed25519 or ProxyJump=bastion (repeatable).")
    var sshOption: [String] = []
    @Option(name: .long, help: "With --ssh: the ssh config file to read instead of ~/.ssh/config (ssh -F).")
    var sshConfig: String?

    func open() async throws -> ServerConnection {
        let password = password ?? ProcessInfo.processInfo.environment["LLMTRACE_PASSWORD"]
        do {
            return try await ServerConnection.open(
                server: server,
                password: password,
                ssh: ssh,
                remoteSocket: remoteSocket,
                sshOptions: sshOption,
                sshConfig: sshConfig
            )
        } catch {
            throw CLIError(error.description)
        }
    }
}
