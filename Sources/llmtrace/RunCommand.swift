import ArgumentParser
import Client
import Foundation
import LLMTraceModel

/// `llmtrace run -- CMD ARGS…`: runs one program with its HTTPS sent through llmtrace's forward proxy
/// and llmtrace's CA trusted, for that program alone, and says what it sent to LLMs.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a program with its LLM calls captured by llmtrace's forward proxy (no change to the program).",
        discussion: """
            Uses the llmtrace server at --server (default http://127.0.0.1:8080), or starts one for the run when
            none answers there. The program gets HTTPS_PROXY, HTTP_PROXY, NO_PROXY, NODE_EXTRA_CA_CERTS,
            NODE_USE_ENV_PROXY, SSL_CERT_FILE, REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE; its exit status is passed back.
            Example: llmtrace run -- python app.py
            """
    )

    @Option(name: .long, help: "The env its calls are recorded under (default: the program's name).")
    var env: String?
    @Option(name: .long, help: "The llmtrace server to use: http://host:port (default http://127.0.0.1:8080, started for the run if none answers).")
    var server: String?
    @Option(name: [.customShort("P"), .long], help: "The server's password (or LLMTRACE_PASSWORD).")
    var password: String?
    @Option(name: .long, help: "Hosts the program reaches without the proxy (NO_PROXY; default localhost,127.0.0.1,::1).")
    var noProxy = ProxiedCommand.loopback
    @Argument(parsing: .captureForPassthrough, help: "The program and its arguments, after --.")
    var arguments: [String] = []

    /// The program and its arguments (the `--` before them, which ArgumentParser passes on, dropped).
    var command: [String] { arguments.first == "--" ? Array(arguments.dropFirst()) : arguments }

    func validate() throws {
        guard !command.isEmpty else { throw ValidationError("give the program to run after --, as in: llmtrace run -- python app.py") }
        if let env, env.isEmpty || !env.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) {
            throw ValidationError("--env '\(env)' may hold only letters, digits, '-', '_' and '.'")
        }
    }

    func run() async throws {
        let program = (command[0] as NSString).lastPathComponent
        let env = self.env ?? String(program.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "-" })
        let password = self.password ?? ProcessInfo.processInfo.environment["LLMTRACE_PASSWORD"]
        let session = try await RunSession.open(server: server, password: password)
        defer { session.close() }
        if session.startedServer {
            FileHandle.standardError.write(
                Data(
                    "llmtrace: no server answered, so one runs for this program at \(session.address) (watch: llmtrace tui --server \(session.address))\n"
                        .utf8
                )
            )
        }

        let proxyURL = session.proxyURL(env: env, password: password)
        let environment = ProxiedCommand.environment(
            ProcessInfo.processInfo.environment,
            proxyURL: proxyURL,
            certificate: session.certificatePath,
            bundle: session.bundlePath,
            noProxy: noProxy
        )
        let started = Date()
        let status: Int32
        do { status = try ProxiedCommand.run(command, environment: environment) } catch { throw CLIError(error.description) }
        let summary = await session.summary(env: env, since: started)
        FileHandle.standardError.write(Data((summary + "\n").utf8))
        if status != 0 { throw ExitCode(status) }
    }
}
