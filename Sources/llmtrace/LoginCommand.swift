import ArgumentParser
import Client
import Foundation

/// `llmtrace login`: signs in to a team server and keeps the session for `tui` and `tail`.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Sign in to a team server (shared mode); tui and tail then use the session.",
        discussion: """
            Asks for the password on the terminal without showing it (or reads it from standard input with
            --password-stdin). The refresh token is kept in ~/.llmtrace/credentials.json (mode 0600; or
            $LLMTRACE_CREDENTIALS), one entry per server; access tokens stay in memory.
            """
    )

    @OptionGroup var target: ServerOptions
    @Option(name: .long, help: "The account's email (asked on the terminal when not given).")
    var email: String?
    @Flag(name: .long, help: "Read the password from the first line of standard input (for scripts).")
    var passwordStdin = false

    func run() async throws {
        let store = CredentialsStore.standard()
        let connection = try await target.open(password: nil, credentials: nil)
        do {
            let email = try self.email ?? TerminalInput.ask("Email for \(connection.key.label): ")
            guard !email.trimmingCharacters(in: .whitespaces).isEmpty else { throw ClientError.input("no email given") }
            let password = try passwordStdin ? TerminalInput.standardInputLine(what: "password") : TerminalInput.askSecret("Password: ")
            let identity = try await SignIn.login(connection, email: email, password: password, store: store)
            print("Signed in to \(connection.key.label) as \(identity.summary)")
            print("The session is kept in \(store.path); `llmtrace logout` ends it.")
        } catch let error as ClientError {
            await connection.close()
            throw CLIError(error.description)
        }
        await connection.close()
    }
}

/// `llmtrace logout`: ends the saved session of a team server and forgets it.
struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Sign out of a team server and remove its saved session."
    )

    @OptionGroup var target: ServerOptions

    func run() async throws {
        let store = CredentialsStore.standard()
        var connection: ServerConnection?
        var key: ServerKey
        var unreachable: String?
        do {
            let opened = try await target.connect(password: nil, credentials: nil)
            connection = opened
            key = opened.key
        } catch {
            // The server (or the tunnel) is out of reach: forget the session here all the same.
            guard let fallback = Self.key(for: target) else { throw CLIError(error.description) }
            key = fallback
            unreachable = error.description
        }
        do {
            let outcome = try await SignIn.logout(key: key, connection: connection, unreachableReason: unreachable, store: store)
            await connection?.close()
            switch outcome {
            case .notSignedIn:
                print("Not signed in to \(key.label); nothing to do.")
            case .signedOut(let email):
                print("Signed \(email) out of \(key.label).")
            case .removedLocally(let email, let reason):
                print(
                    "Removed the saved session of \(email) for \(key.label), but the server could not be told (\(reason)): the session stays valid there until it goes unused for 30 days."
                )
            }
        } catch {
            await connection?.close()
            throw CLIError(error.description)
        }
    }

    /// The key of a target that could not be reached, when it can be told without reaching it.
    static func key(for target: ServerOptions) -> ServerKey? {
        if let ssh = target.ssh { return ServerKey(sshTarget: ssh, remoteSocket: target.remoteSocket) }
        if let server = target.server, let address = try? ServerAddress(server) { return ServerKey(address: address) }
        return nil
    }
}
