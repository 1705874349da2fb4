import ArgumentParser
import Client
import Foundation

/// Which server a client command (`tui`, `tail`, `login`, `logout`) talks to.
struct ServerOptions: ParsableArguments {
    @Option(name: .long, help: "Server: http://host:port or unix:///path (default: the local socket, else http://127.0.0.1:8080).")
    var server: String?
    @Option(name: .long, help: "Reach a remote server through ssh: user@host[:port], user@[::1]:port, or a host alias from ~/.ssh/config.")
    var ssh: String?
    @Option(name: .long, help: "With --ssh: the server's socket on the remote machine (default: its default socket).")
    var remoteSocket: String?
    @Option(name: .long, help: "With --ssh: an extra ssh -o option, e.g. IdentityFile=~/.ssh/id_ed25519 or ProxyJump=bastion (repeatable).")
    var sshOption: [String] = []
    @Option(name: .long, help: "With --ssh: the ssh config file to read instead of ~/.ssh/config (ssh -F).")
    var sshConfig: String?

    /// Opens the connection; `credentials` signs it with the server's saved session, if any.
    func open(password: String?, credentials: CredentialsStore?) async throws -> ServerConnection {
        do {
            return try await connect(password: password, credentials: credentials)
        } catch {
            throw CLIError(error.description)
        }
    }

    /// ``open(password:credentials:)`` with the connection's own error, for a caller that goes on without it.
    func connect(password: String?, credentials: CredentialsStore?) async throws(ClientError) -> ServerConnection {
        try await ServerConnection.open(
            server: server,
            password: password,
            ssh: ssh,
            remoteSocket: remoteSocket,
            sshOptions: sshOption,
            sshConfig: sshConfig,
            credentials: credentials
        )
    }
}

/// How a client command (`tail`, `tui`) reaches a server and proves who it is: a standalone server's
/// password, else the session `llmtrace login` saved for it.
struct ConnectionOptions: ParsableArguments {
    @OptionGroup var target: ServerOptions
    @Option(name: [.customShort("P"), .long], help: "A standalone server's password (or LLMTRACE_PASSWORD); team servers use `llmtrace login`.")
    var password: String?

    var server: String? { target.server }
    var ssh: String? { target.ssh }
    var resolvedPassword: String? { password ?? ProcessInfo.processInfo.environment["LLMTRACE_PASSWORD"] }

    func open() async throws -> ServerConnection {
        try await target.open(password: resolvedPassword, credentials: CredentialsStore.standard())
    }
}

/// Which records a client command (`tail`, `export`) takes: `--env`, `--model`, `--filter`.
struct RecordFilterOptions: ParsableArguments {
    @Option(name: .long, help: "Only this environment.")
    var env: String?
    @Option(name: .long, help: "Only this model.")
    var model: String?
    @Option(name: .long, help: "Only requests matching this filter (see docs/FILTERS.md).")
    var filter: String?
}
