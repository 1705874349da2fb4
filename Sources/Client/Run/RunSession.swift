import Foundation
import LLMTraceModel

/// What `llmtrace run` sets up around the program: a server (an answering one, or one started for the
/// run), llmtrace's CA from it in a private temporary directory with a bundle of the system's CAs, and,
/// afterwards, the summary of what the program sent.
public final class RunSession: Sendable {
    /// The server used.
    public let address: ServerAddress
    /// Whether the server was started for this run (and stops with it).
    public var startedServer: Bool { started != nil }
    /// llmtrace's CA certificate, written for the program.
    public let certificatePath: String
    /// The system's CAs followed by llmtrace's.
    public let bundlePath: String
    private let client: LLMTraceClient
    private let started: RunServer?
    private let directory: String

    private init(address: ServerAddress, client: LLMTraceClient, started: RunServer?, directory: String, certificatePath: String, bundlePath: String)
    {
        self.address = address
        self.client = client
        self.started = started
        self.directory = directory
        self.certificatePath = certificatePath
        self.bundlePath = bundlePath
    }

    /// The server at `server` (default `http://127.0.0.1:8080`), or, when none was named and none
    /// answers there, one started for the run; then llmtrace's CA from it.
    public static func open(server: String?, password: String?) async throws(ClientError) -> RunSession {
        var address = try ServerAddress(server ?? "http://127.0.0.1:8080")
        guard case .tcp = address.kind else {
            throw ClientError.badAddress(
                address.description,
                "llmtrace run needs the server's TCP address (http://host:port): programs reach its proxy over TCP"
            )
        }
        var client = LLMTraceClient(server: address, password: password)
        var started: RunServer?
        do {
            try await client.ping()
        } catch {
            guard server == nil, case .unreachable = error else {
                await client.shutdown()
                throw error
            }
            await client.shutdown()
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            let runServer = try await RunServer.start(executable: executable)
            started = runServer
            address = runServer.address
            client = LLMTraceClient(server: address, password: password)
        }
        do {
            let pem = try await client.forwardProxyCA()
            let (directory, certificate, bundle) = try writeFiles(pem)
            return RunSession(
                address: address,
                client: client,
                started: started,
                directory: directory,
                certificatePath: certificate,
                bundlePath: bundle
            )
        } catch {
            started?.stop()
            await client.shutdown()
            throw error
        }
    }

    /// llmtrace's CA and the bundle, in a new directory only this user can read.
    private static func writeFiles(_ pem: String) throws(ClientError) -> (directory: String, certificate: String, bundle: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("llmtrace-run-\(UUID().uuidString)").path
        let certificate = (directory as NSString).appendingPathComponent("llmtrace-ca.pem")
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try pem.write(toFile: certificate, atomically: true, encoding: .utf8)
            return (directory, certificate, try ProxiedCommand.writeBundle(certificatePEM: pem, directory: directory))
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw ClientError.input("cannot write llmtrace's CA for the program: \(error.localizedDescription)")
        }
    }

    /// `HTTPS_PROXY` for the program (see ``ProxiedCommand/proxyURL(server:env:password:)``).
    public func proxyURL(env: String, password: String?) -> String {
        ProxiedCommand.proxyURL(server: address, env: env, password: password)
    }

    /// One line on what the program sent since `since` under `env`: requests, tokens, cost.
    public func summary(env: String, since: Date) async -> String {
        // A second early: the first request may start as the program does.
        let start = Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(since.addingTimeInterval(-1))
        let query = "/api/stats" + LLMTraceClient.query([("env", env), ("since", start)])
        // Records are saved just after each exchange: wait until two reads agree.
        var stats: Stats?
        for _ in 0..<20 {
            let read = try? await client.get(query, as: Stats.self)
            if let read, read == stats { break }
            stats = read
            try? await Task.sleep(for: .milliseconds(150))
        }
        guard let stats else { return "llmtrace: could not read what the program sent from \(address)" }
        let cost = String(format: stats.estimatedCost < 0.01 ? "$%.6f" : "$%.4f", stats.estimatedCost)
        var line =
            "llmtrace: \(stats.totalRequests) LLM request\(stats.totalRequests == 1 ? "" : "s"), \(stats.totalTokens) tokens (\(stats.totalPromptTokens) in, \(stats.totalCompletionTokens) out), \(cost)"
        if stats.errors > 0 { line += ", \(stats.errors) error\(stats.errors == 1 ? "" : "s")" }
        line += " · env \(env)"
        line +=
            started == nil
            ? " · see them with: llmtrace tui --server \(address)"
            : " (on a server started for this run, now stopped: run `llmtrace serve` first to keep them)"
        return line
    }

    /// Stops a server started for the run and removes the temporary files.
    public func close() {
        started?.stop()
        try? FileManager.default.removeItem(atPath: directory)
        let client = self.client
        Task { await client.shutdown() }
    }
}
