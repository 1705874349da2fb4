import ArgumentParser
import Client
import Foundation
import LLMTraceModel
import Logging
import Server
import TUI

/// `llmtrace tui`: the terminal inspector. Attaches to a running server, or starts one in-process.
struct TUICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui",
        abstract: "Watch traffic live in the terminal (starts a server in-process when none answers)."
    )

    @OptionGroup var connection: ConnectionOptions
    @Option(name: [.short, .long], help: "Port for the in-process server when none answers (default 8080).")
    var port: String?
    @Option(name: .long, help: "SQLite file for the in-process server (default :memory:).")
    var db: String?
    @Option(name: [.short, .long], help: "Config file for the in-process server.")
    var config: String?
    @Option(name: .long, help: "Where `e` writes exported records (default: the working directory).")
    var exportDir: String?

    func run() async throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw CLIError("llmtrace tui needs a terminal; for scripts use `llmtrace tail --json`")
        }
        let exportDirectory = URL(fileURLWithPath: exportDir ?? FileManager.default.currentDirectoryPath)
        let named = connection.server != nil || connection.ssh != nil
        var opened = try await connection.open()
        var local: Task<Void, any Error>?
        if !named, await Self.nobodyAnswers(opened) {
            await opened.close()
            let (address, task) = try await startLocalServer()
            local = task
            opened = try await ServerConnection.open(
                server: "http://\(address)",
                password: connection.resolvedPassword,
                ssh: nil,
                remoteSocket: nil,
                sshOptions: []
            )
        }
        // Logs from here on would scribble over the screen: send them to a file.
        Self.redirectStandardError()
        await TUIApplication(connection: opened, startedLocalServer: local != nil, exportDirectory: exportDirectory).run()
        await opened.close()
        // Stop the in-process server (it flushes its store and removes its socket) before exiting.
        local?.cancel()
        _ = await local?.result
    }

    /// Whether no server answers there (a server that refuses us, wanting a password or a sign-in, does
    /// answer: the header says what it wants).
    private static func nobodyAnswers(_ connection: ServerConnection) async -> Bool {
        do {
            try await connection.client.ping()
            return false
        } catch {
            return !error.isRefusal
        }
    }

    /// Starts `llmtrace serve` in this process and returns where it listens.
    private func startLocalServer() async throws -> (String, Task<Void, any Error>) {
        var flags: [ConfigResolver.Key: String] = [:]
        if let port { flags[.port] = port }
        if let db { flags[.db] = db }
        let resolver = ConfigResolver(
            flags: flags,
            environment: ProcessInfo.processInfo.environment,
            workingDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
            configPath: config
        )
        var configuration: ServerConfiguration
        do { configuration = try resolver.resolve().0 } catch { throw CLIError(error.message) }
        configuration.logLevel = .warning
        let logger = Logger(label: "llmtrace")
        let (addresses, continuation) = AsyncStream.makeStream(of: String.self)
        let server = LLMTraceServer(configuration: configuration, logger: logger)
        let task = Task {
            defer { continuation.finish() }
            try await server.run { continuation.yield($0) }
        }
        for await address in addresses { return (address, task) }
        do { try await task.value } catch { throw CLIError("could not start a local server: \(error)") }
        throw CLIError("could not start a local server")
    }

    private static func redirectStandardError() {
        let dir = (SocketPath.defaultPath() as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let fd = open((dir as NSString).appendingPathComponent("tui.log"), O_WRONLY | O_CREAT | O_APPEND, 0o600)
        if fd >= 0 {
            dup2(fd, STDERR_FILENO)
            close(fd)
        }
    }
}
