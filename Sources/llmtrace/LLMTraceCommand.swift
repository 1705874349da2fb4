import ArgumentParser
import LLMTraceModel

/// `llmtrace`: the root command. With no subcommand it runs `serve`.
struct LLMTraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llmtrace",
        abstract: "A zero-code inspector for LLM API traffic: a transparent proxy that records every call.",
        discussion: """
            Point a client's base URL at http://127.0.0.1:8080/proxy/<env>/<scheme>/<host>/<path>, e.g.
              OPENAI_BASE_URL=http://127.0.0.1:8080/proxy/dev/https/api.openai.com/v1
            """,
        version: LLMTraceVersion.current,
        subcommands: [
            ServeCommand.self, TUICommand.self, TailCommand.self, CostCommand.self, LoginCommand.self, LogoutCommand.self,
            AdminCommand.self, CACommand.self, RunCommand.self, SetupCommand.self, ExportCommand.self, ReplayCommand.self,
            ReportCommand.self,
        ],
        defaultSubcommand: ServeCommand.self
    )
}

extension LLMTraceCommand {
    /// Whether these arguments run the server (`serve`, the default subcommand) rather than a client.
    static func runsServer(_ arguments: [String]) -> Bool {
        guard let first = arguments.dropFirst().first else { return true }
        if first == "serve" { return true }
        return first.hasPrefix("-") && !["-h", "--help", "--version", "--generate-completion-script"].contains(first)
    }
}
