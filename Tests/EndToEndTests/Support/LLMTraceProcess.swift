import Client
import Foundation
import Synchronization

/// The real `llmtrace` binary, started on a free port for one test.
final class LLMTraceProcess: Sendable {
    let process: Process
    /// `http://127.0.0.1:PORT`
    let url: String
    private let output: OutputBuffer

    /// The built binary: next to the test bundle (`.build/debug`), or `LLMTRACE_BIN`.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["LLMTRACE_BIN"] { return URL(fileURLWithPath: path) }
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL,
            Bundle.main.bundleURL.deletingLastPathComponent(),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../.build/debug").standardizedFileURL,
        ]
        for dir in candidates {
            let url = dir.appendingPathComponent("llmtrace")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return candidates[candidates.count - 1].appendingPathComponent("llmtrace")
    }

    /// This process's environment without llmtrace's own settings (so a developer's LLMTRACE_* cannot
    /// leak into a test), plus `extra`.
    static func childEnvironment(_ extra: [String: String]) -> [String: String] {
        ProcessInfo.processInfo.environment.filter { (!$0.key.hasPrefix("LLMTRACE_") || $0.key == "LLMTRACE_PROXY_CORE") && $0.key != "PORT" }
            .merging(extra) { $1 }
    }

    /// Starts `llmtrace serve --port 0 <arguments>` and waits for its "listening on" line.
    ///
    /// `launcher` runs first and is handed the binary and its arguments (it must `exec` them, so the
    /// process is llmtrace itself), e.g. `["/bin/sh", "-c", "ulimit -f 100; exec \"$0\" \"$@\""]`.
    ///
    /// `binary` is the executable to run (default ``binary``: the one the build made).
    static func start(
        _ arguments: [String] = [],
        environment: [String: String] = [:],
        directory: URL? = nil,
        launcher: [String] = [],
        binary: URL = LLMTraceProcess.binary,
        timeout: Duration = .seconds(60)
    ) async throws -> LLMTraceProcess {
        let process = Process()
        // Each test server gets no socket unless it asks for one, so parallel tests never share one.
        let socket = arguments.contains("--socket") ? [] : ["--no-socket"]
        let serve = ["serve", "--port", "0"] + socket + arguments
        if let tool = launcher.first {
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = Array(launcher.dropFirst()) + [binary.path] + serve
        } else {
            process.executableURL = binary
            process.arguments = serve
        }
        let env = childEnvironment(environment)
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let output = OutputBuffer()
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { output.append(String(decoding: data, as: UTF8.self)) }
        }
        try process.run()
        do {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                let text = output.text
                if let range = text.range(of: #"listening on (https?://[^\s]+)"#, options: .regularExpression) {
                    let url = String(text[range].dropFirst("listening on ".count))
                    return LLMTraceProcess(process: process, url: url, output: output)
                }
                if let status = ProcessExit.status(of: process) {
                    throw ProcessFailure("llmtrace exited with \(status) before listening:\n\(text)")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            throw ProcessFailure("llmtrace did not start within \(timeout):\n\(output.text)")
        } catch {
            // Not started (or the wait was cancelled): no server may outlive this call.
            if ProcessExit.status(of: process) == nil {
                kill(process.processIdentifier, SIGKILL)
                _ = await ProcessExit.wait(for: process, timeout: .seconds(10))
            }
            throw error
        }
    }

    /// Runs the binary to completion with these arguments and returns its exit status and output.
    static func runToEnd(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) async throws -> (Int32, String) {
        try await runCommand(binary, arguments, environment: childEnvironment(environment), input: input)
    }

    private init(process: Process, url: String, output: OutputBuffer) {
        self.process = process
        self.url = url
        self.output = output
    }

    var log: String { output.text }

    /// Sends a signal and waits for the process to exit (SIGKILL if it has not within `timeout`); returns
    /// its exit status. A process that already exited is left alone and its status returned, so a test
    /// may stop the server itself inside ``withLLMTrace(_:environment:directory:launcher:binary:_:)``.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(20)) async -> Int32 {
        if let status = ProcessExit.status(of: process) { return status }
        kill(process.processIdentifier, signal)
        if let status = await ProcessExit.wait(for: process, timeout: timeout) { return status }
        kill(process.processIdentifier, SIGKILL)
        return await ProcessExit.wait(for: process, timeout: .seconds(10)) ?? -1
    }

    deinit {
        if ProcessExit.status(of: process) == nil { kill(process.processIdentifier, SIGKILL) }
    }
}

struct ProcessFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs a program to completion without blocking a thread, and returns its exit status and output.
///
/// It does not wait for end-of-file on the output pipe: processes started at the same moment by other
/// tests can inherit the pipe's write end and keep it open long after this one exited.
func runCommand(
    _ tool: URL,
    _ arguments: [String],
    environment: [String: String]? = nil,
    directory: URL? = nil,
    timeout: Duration = .seconds(60),
    input: String? = nil
) async throws -> (Int32, String) {
    let process = Process()
    process.executableURL = tool
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let directory { process.currentDirectoryURL = directory }
    let output = OutputBuffer()
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    let stdin = input.map { _ in Pipe() }
    process.standardInput = stdin ?? FileHandle.nullDevice
    pipe.fileHandleForReading.readabilityHandler = { h in output.append(String(decoding: h.availableData, as: UTF8.self)) }
    try process.run()
    if let stdin, let input {
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try? stdin.fileHandleForWriting.close()
    }
    guard let status = await ProcessExit.wait(for: process, timeout: timeout) else {
        process.terminate()
        throw ProcessFailure("\(tool.lastPathComponent) \(arguments.joined(separator: " ")) did not finish within \(timeout):\n\(output.text)")
    }
    try await Task.sleep(for: .milliseconds(50))  // let the last output arrive
    pipe.fileHandleForReading.readabilityHandler = nil
    return (status, output.text)
}

/// A fresh temporary directory.
func makeTempDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("llmtrace-e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Output of a child process, collected as it arrives.
final class OutputBuffer: Sendable {
    private let storage = Mutex("")
    func append(_ s: String) { storage.withLock { $0 += s } }
    var text: String { storage.withLock { $0 } }
}
