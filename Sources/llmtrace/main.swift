import ArgumentParser
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

// The server runs Swift concurrency on NIO's event loops, so a proxied exchange does not hop between the
// concurrency pool and the threads that own its sockets (see docs/BENCHMARKS.md). Clients (`tui`, `tail`)
// block on the terminal and keep the default pool. This must happen before any task starts, hence a
// main.swift rather than `@main`.
if LLMTraceCommand.runsServer(CommandLine.arguments) {
    #if canImport(Glibc)
    // glibc gives threads their own heap arenas; with the event loops, the database queue and dispatch's
    // threads that is many partly empty heaps. Two arenas keep the server about 10% smaller with 256
    // streams in flight, at no cost in latency (docs/BENCHMARKS.md).
    // mallopt(M_ARENA_MAX, 2): neither is imported from malloc.h, so the function is looked up by name.
    if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        _ = unsafeBitCast(symbol, to: Mallopt.self)(-8, 2)
    }
    #endif
    NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
} else {
    // Client commands may start ssh: from here on, every way out ends it.
    InterruptHandler.install()
}

// Each command is run by its concrete type: called from here through the protocol, ArgumentParser's
// entry points reach the synchronous `run()` (which only prints help) instead of the async one.
do {
    var command = try LLMTraceCommand.parseAsRoot()
    switch command {
    case let serve as ServeCommand: try await serve.run()
    case let tui as TUICommand: try await tui.run()
    case let tail as TailCommand: try await tail.run()
    case let login as LoginCommand: try await login.run()
    case let logout as LogoutCommand: try await logout.run()
    case let bootstrap as AdminBootstrapCommand: try await bootstrap.run()
    case let users as AdminUsersCommand.List: try await users.run()
    case let reset as AdminUsersCommand.ResetPassword: try await reset.run()
    case let teams as AdminTeamsCommand.List: try await teams.run()
    case let run as RunCommand: try await run.run()
    case let setup as SetupSystemdCommand: try await setup.run()
    case let export as ExportCommand: try await export.run()
    case let replay as ReplayCommand: try await replay.run()
    case let report as ReportCommand: try await report.run()
    default: try command.run()
    }
} catch {
    LLMTraceCommand.exit(withError: error)
}
