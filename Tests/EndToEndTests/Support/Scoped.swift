import AsyncHTTPClient
import Client
import Foundation

#if canImport(Glibc)
import Glibc
#endif

// Scoped helpers: each starts something for the length of `body` and tears it down on every way out
// of it (a return, a thrown error, a failed `#require`). The teardown is awaited before the caller
// goes on, never left to a detached task, so a failing test leaves no server, process, listener,
// client or directory behind for the tests after it.

/// Runs `body` with `resource`, then awaits `teardown(resource)` however `body` ends.
func withTeardown<Resource, T>(
    _ resource: Resource,
    teardown: (Resource) async -> Void,
    _ body: (Resource) async throws -> T
) async throws -> T {
    let result: T
    do {
        result = try await body(resource)
    } catch {
        await teardown(resource)
        throw error
    }
    await teardown(resource)
    return result
}

/// `llmtrace serve --port 0 <arguments>` (see ``LLMTraceProcess/start(_:environment:directory:launcher:binary:timeout:)``)
/// for the length of `body`, then stopped: SIGTERM, and SIGKILL if it has not exited within 20 s.
///
/// `body` may stop or kill the server itself (the shutdown and restart tests do); the teardown then
/// finds it exited and does nothing.
func withLLMTrace<T>(
    _ arguments: [String] = [],
    environment: [String: String] = [:],
    directory: URL? = nil,
    launcher: [String] = [],
    binary: URL = LLMTraceProcess.binary,
    _ body: (LLMTraceProcess) async throws -> T
) async throws -> T {
    let server = try await LLMTraceProcess.start(
        arguments,
        environment: environment,
        directory: directory,
        launcher: launcher,
        binary: binary
    )
    return try await withTeardown(server, teardown: { await $0.stop() }, body)
}

/// A ``FakeUpstream`` for the length of `body`, then shut down.
func withFakeUpstream<T>(tls: (cert: String, key: String)? = nil, _ body: (FakeUpstream) async throws -> T) async throws -> T {
    let upstream = try await FakeUpstream.start(tls: tls)
    return try await withTeardown(upstream, teardown: { await $0.stop() }, body)
}

/// The usual pair: a ``FakeUpstream`` and `llmtrace serve <arguments>` to proxy to it. Both are stopped
/// afterwards, llmtrace first.
func withUpstreamAndLLMTrace<T>(
    _ arguments: [String] = [],
    launcher: [String] = [],
    _ body: (FakeUpstream, LLMTraceProcess) async throws -> T
) async throws -> T {
    try await withFakeUpstream { upstream in
        try await withLLMTrace(arguments, launcher: launcher) { server in try await body(upstream, server) }
    }
}

/// A ``RawUpstream`` running `script` for the length of `body`; afterwards it stops listening, cuts the
/// connections still open and waits for their scripts to end.
func withRawUpstream<T>(script: @escaping @Sendable (RawConnection) -> Void, _ body: (RawUpstream) async throws -> T) async throws -> T {
    let raw = try RawUpstream(script: script)
    return try await withTeardown(raw, teardown: { await $0.shutDown() }, body)
}

/// An `HTTPClient` for the length of `body`, then shut down (a debug build traps on a client that was not).
func withHTTPClient<T>(configuration: HTTPClient.Configuration = .init(), _ body: (HTTPClient) async throws -> T) async throws -> T {
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    return try await withTeardown(client, teardown: { try? await $0.shutdown() }, body)
}

/// An ``LLMTraceClient`` of `server` for the length of `body`, then shut down.
func withLLMTraceClient<T>(_ server: ServerAddress, _ body: (LLMTraceClient) async throws -> T) async throws -> T {
    try await withTeardown(LLMTraceClient(server: server), teardown: { await $0.shutdown() }, body)
}

/// `count` ``LLMTraceClient``s of `server` for the length of `body`, then all shut down.
func withLLMTraceClients<T>(_ count: Int, of server: ServerAddress, _ body: ([LLMTraceClient]) async throws -> T) async throws -> T {
    let clients = (0..<count).map { _ in LLMTraceClient(server: server) }
    return try await withTeardown(clients, teardown: { for c in $0 { await c.shutdown() } }, body)
}

/// `llmtrace <arguments>` (e.g. `tail …`) in the background for the length of `body`, then interrupted
/// as ctrl-c would, and killed if it has not exited within 5 s.
func withTail<T>(_ arguments: [String], _ body: (TailProcess) async throws -> T) async throws -> T {
    try await withTeardown(try TailProcess(arguments), teardown: { await $0.interruptAndWait() }, body)
}

extension TailProcess {
    /// ``stop()`` without blocking a thread while it waits.
    func interruptAndWait() async {
        guard ProcessExit.status(of: process) == nil else { return }
        process.interrupt()
        if await ProcessExit.wait(for: process, timeout: .seconds(5)) == nil {
            kill(process.processIdentifier, SIGKILL)
            _ = await ProcessExit.wait(for: process, timeout: .seconds(5))
        }
    }
}

/// A fresh temporary directory for the length of `body`, then removed with everything in it.
func withTempDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    try await withTeardown(try makeTempDirectory(), teardown: { try? FileManager.default.removeItem(at: $0) }, body)
}

/// A fresh temporary directory and the path of a database file `trace.db` in it, for the length of
/// `body`; then the directory is removed.
func withTempDatabase<T>(_ body: (_ db: String, _ directory: URL) async throws -> T) async throws -> T {
    try await withTempDirectory { dir in try await body(dir.appendingPathComponent("trace.db").path, dir) }
}
