import ArgumentParser
import NIOCore
import NIOPosix

// The server runs Swift concurrency on NIO's event loops, so a proxied exchange does not hop between the
// concurrency pool and the threads that own its sockets (see docs/BENCHMARKS.md). Clients (`tui`, `tail`)
// block on the terminal and keep the default pool. This must happen before any task starts, hence a
// main.swift rather than `@main`.
if LLMTraceCommand.runsServer(CommandLine.arguments) {
    NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
}

// Each command is run by its concrete type: called from here through the protocol, ArgumentParser's
// entry points reach the synchronous `run()` (which only prints help) instead of the async one.
do {
    var command = try LLMTraceCommand.parseAsRoot()
    switch command {
    case let serve as ServeCommand: try await serve.run()
    case let tui as TUICommand: try await tui.run()
    case let tail as TailCommand: try await tail.run()
    default: try command.run()
    }
} catch {
    LLMTraceCommand.exit(withError: error)
}
