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

    /// Starts `llmtrace serve --port 0 <arguments>` and waits for its "listening on" line.
    static func start(
        _ arguments: [String] = [], environment: [String: String] = [:], directory: URL? = nil, timeout: Duration = .seconds(20)
    ) async throws -> LLMTraceProcess {
        let process = Process()
        process.executableURL = binary
        // Each test server gets no socket unless it asks for one, so parallel tests never share one.
        let socket = arguments.contains("--socket") ? [] : ["--no-socket"]
        process.arguments = ["serve", "--port", "0"] + socket + arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LLMTRACE_") && $0.key != "PORT" }
        env.merge(environment) { $1 }
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
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = output.text
            if let range = text.range(of: #"listening on (http://[^\s]+)"#, options: .regularExpression) {
                let url = String(text[range].dropFirst("listening on ".count))
                return LLMTraceProcess(process: process, url: url, output: output)
            }
            if !process.isRunning {
                throw ProcessFailure("llmtrace exited with \(process.terminationStatus) before listening:\n\(text)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.terminate()
        throw ProcessFailure("llmtrace did not start within \(timeout):\n\(output.text)")
    }

    /// Runs the binary to completion with these arguments and returns its exit status and output.
    static func runToEnd(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LLMTRACE_") && $0.key != "PORT" }
        env.merge(environment) { $1 }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    private init(process: Process, url: String, output: OutputBuffer) {
        self.process = process
        self.url = url
        self.output = output
    }

    var log: String { output.text }

    /// Sends a signal and waits for the process to exit; returns its exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(20)) async -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

struct ProcessFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
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
