import ArgumentParser
import Client
import Foundation
import Server

/// `llmtrace admin`: what an operator of shared mode does without a browser, on the admin database
/// directly. Wiring only: the work is in ``AdminBootstrap`` and the admin store.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Shared mode's accounts from the command line: bootstrap, users, teams.",
        subcommands: [AdminBootstrapCommand.self, AdminUsersCommand.self, AdminTeamsCommand.self]
    )
}

/// The admin database options every `llmtrace admin` command takes.
struct AdminDatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "The database of `llmtrace serve --mode shared` (postgres://… or mysql://…).")
    var db: String?
    @Option(name: .long, help: "The admin database, when kept apart from --db.")
    var adminDb: String?

    /// The URL: `--admin-db`, `--db`, `LLMTRACE_ADMIN_DB`, `LLMTRACE_ADMIN_MYSQL_URL`, `LLMTRACE_DB`.
    func url() throws -> String {
        let env = ProcessInfo.processInfo.environment
        let candidates = [adminDb, db, env["LLMTRACE_ADMIN_DB"], env["LLMTRACE_ADMIN_MYSQL_URL"], env["LLMTRACE_DB"]]
        guard let url = candidates.compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
            throw ValidationError("give the database: --db postgres://user:password@host:5432/database (or mysql://…)")
        }
        return url
    }

    /// Runs `body` with the admin store open, closing it after.
    func withStore<T>(_ body: (any AdminStore) async throws -> T) async throws -> T {
        let store: any AdminStore
        do { store = try await AdminBootstrap.openStore(try url()) } catch let e as ValidationError { throw e } catch { throw CLIError("\(error)") }
        do {
            let result = try await body(store)
            try? await store.close()
            return result
        } catch let e as AdminBootstrap.Refused {
            try? await store.close()
            throw CLIError(e.description)
        } catch {
            try? await store.close()
            throw CLIError("\(error)")
        }
    }
}

/// `--password-stdin`: the only way an `llmtrace admin` command takes a password (never in argv).
struct PasswordStdinOption: ParsableArguments {
    @Flag(name: .long, help: "Read the password from the first line of standard input (the only way: never on the command line).")
    var passwordStdin = false

    /// The password, or a usage error saying how to give it.
    func password(_ what: String) throws -> String {
        guard passwordStdin else { throw ValidationError("give \(what) on standard input with --password-stdin") }
        do {
            return try TerminalInput.standardInputLine(what: "password")
        } catch {
            throw ValidationError(error.description)
        }
    }
}

struct AdminBootstrapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bootstrap",
        abstract: "Create the first system administrator (refused once one exists)."
    )

    @Option(name: .long, help: "The administrator's email.")
    var email: String
    @Option(name: .long, help: "The administrator's name.")
    var name: String?
    @OptionGroup var passwordInput: PasswordStdinOption
    @OptionGroup var database: AdminDatabaseOptions

    func run() async throws {
        let password = try passwordInput.password("the password")
        let user = try await database.withStore { try await AdminBootstrap.bootstrap(store: $0, email: email, password: password, name: name) }
        print("created the system administrator \(user.email) (\(user.id))")
    }
}

struct AdminUsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "List accounts, or reset one's password.",
        subcommands: [List.self, ResetPassword.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the accounts.")
        @Flag(name: .long, help: "Show deleted accounts too.")
        var includeDeleted = false
        @OptionGroup var database: AdminDatabaseOptions

        func run() async throws {
            let users = try await database.withStore { try await $0.users(includeDeleted: includeDeleted) }
            for user in users {
                let flags = [user.systemAdmin ? "system-admin" : nil, user.deletedAt != nil ? "deleted" : nil].compactMap { $0 }
                print([user.id, user.email, user.name ?? "", flags.joined(separator: ",")].joined(separator: "\t"))
            }
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password",
            abstract: "Set an account's password (read from standard input) and sign it out everywhere."
        )
        @Option(name: .long, help: "The account's email.")
        var email: String
        @OptionGroup var passwordInput: PasswordStdinOption
        @OptionGroup var database: AdminDatabaseOptions

        func run() async throws {
            let password = try passwordInput.password("the new password")
            let user = try await database.withStore { try await AdminBootstrap.resetPassword(store: $0, email: email, password: password) }
            print("the password of \(user.email) is reset; its sessions are signed out")
        }
    }
}

struct AdminTeamsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "teams", abstract: "List teams.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the teams.")
        @Flag(name: .long, help: "Show deleted teams too.")
        var includeDeleted = false
        @OptionGroup var database: AdminDatabaseOptions

        func run() async throws {
            let teams = try await database.withStore { try await $0.teams(memberID: nil, includeDeleted: includeDeleted) }
            for team in teams {
                print([team.id, team.slug, team.name, team.deletedAt != nil ? "deleted" : ""].joined(separator: "\t"))
            }
        }
    }
}
