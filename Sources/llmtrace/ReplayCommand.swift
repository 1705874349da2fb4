import ArgumentParser
import Client
import Foundation
import LLMTraceModel

/// `llmtrace replay ID`: sends a captured request again through the proxy, with the API key from the
/// environment now, and shows both answers side by side.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Send a captured request again through the proxy and show both answers side by side.",
        discussion: """
            The API key comes from the environment at replay time (llmtrace never stored it): OPENAI_API_KEY,
            ANTHROPIC_API_KEY, GEMINI_API_KEY or AZURE_OPENAI_API_KEY by the record's provider, or the variable
            --key-env names. The new record links to the original (replayOf).
            Example: llmtrace replay 0192f3a1c2d4-00a3f1b2 --model gpt-4o-mini
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The id of the record to send again.")
    var id: String
    @Option(name: .long, help: "The environment variable holding the API key (default: by the record's provider).")
    var keyEnv: String?
    @Flag(name: .long, help: "Send no API key (a local server such as Ollama).")
    var noKey = false
    @Option(name: .long, help: "Another model for the request.")
    var model: String?
    @Flag(name: .long, help: "Edit the request body in $EDITOR (or vi) before sending.")
    var edit = false
    @Option(name: .long, help: "Shared mode: the environment's ingest key, if it has one.")
    var ingestKey: String?
    @Flag(name: .long, help: "Print both summaries as JSON instead of side by side.")
    var json = false

    func run() async throws {
        let opened = try await connection.open()
        defer { Task { await opened.close() } }
        let client = opened.client
        let record: TraceRecord
        do { record = try await client.record(id: id) } catch { throw CLIError(error.description) }

        var key: String?
        if !noKey {
            let variable = keyEnv ?? ReplayRequest.keyVariable(provider: record.summary.provider)
            guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else {
                throw CLIError("set \(variable) to the API key to send (llmtrace never stored the original's), or pass --key-env NAME or --no-key")
            }
            key = value
        }
        var body: [UInt8]?
        if edit { body = try Self.edited(record.requestBody?.bytes ?? [], id: id) }
        let request: ReplayRequest
        do { request = try ReplayRequest(record: record, key: key, model: model, body: body, ingestKey: ingestKey) } catch {
            throw CLIError(error.description)
        }
        let outcome: Replayer.Outcome
        do { outcome = try await Replayer(client: client).replay(request, of: record.summary) } catch { throw CLIError(error.description) }
        if json {
            let data = try JSONCoding.makeEncoder(pretty: true).encode(["original": outcome.original, "replay": outcome.replay])
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        } else {
            let width = Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 100
            FileHandle.standardOutput.write(Data(ReplayComparison.render(outcome, width: width).utf8))
        }
    }

    /// `body` after the user edited it in their editor; refused when it is no longer JSON.
    static func edited(_ body: [UInt8], id: String) throws -> [UInt8] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("llmtrace-replay-\(id).json")
        var text = Data(body)
        if let object = try? JSONSerialization.jsonObject(with: text),
            let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        {
            text = pretty
        }
        try text.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let editor = ProcessInfo.processInfo.environment["VISUAL"] ?? ProcessInfo.processInfo.environment["EDITOR"] ?? "vi"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(editor) \"$1\"", "sh", file.path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CLIError("\(editor) exited with status \(process.terminationStatus); nothing was sent") }
        let result = try Data(contentsOf: file)
        guard (try? JSONSerialization.jsonObject(with: result)) != nil else {
            throw CLIError("the edited body is not valid JSON; nothing was sent")
        }
        return Array(result)
    }
}
