import ArgumentParser
import Shared

/// `llmtrace`: the root command. With no subcommand it runs `serve`.
@main
struct LLMTraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llmtrace",
        abstract: "A zero-code inspector for LLM API traffic: a transparent proxy that records every call.",
        discussion: """
            Point a client's base URL at http://127.0.0.1:8080/proxy/<env>/<scheme>/<host>/<path>, e.g.
              OPENAI_BASE_URL=http://127.0.0.1:8080/proxy/dev/https/api.openai.com/v1
            """,
        version: LLMTraceVersion.current,
        subcommands: [ServeCommand.self, TUICommand.self, TailCommand.self, CostCommand.self],
        defaultSubcommand: ServeCommand.self)
}
