import ArgumentParser
import Client
import Foundation
import LLMTraceModel

/// `llmtrace export`: the recorded requests as CSV, JSON or JSON Lines, streamed from a server.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export recorded requests as CSV, JSON or JSON Lines (streamed: any number in constant memory).",
        discussion: "Example: llmtrace export --format csv --since 24h --env prod -o requests.csv"
    )

    @OptionGroup var connection: ConnectionOptions
    @Option(name: .long, help: "csv, json or jsonl (default: from the -o file's extension, else csv).")
    var format: String?
    @Option(name: .long, help: "Only requests since: an ISO-8601 time, Unix seconds, or a duration ago (24h, 7d).")
    var since: String?
    @Option(name: .long, help: "Only requests before this time (same forms as --since).")
    var until: String?
    @OptionGroup var records: RecordFilterOptions
    @Option(name: .long, help: "The columns, comma-separated (default: all but the bodies).")
    var fields: String?
    @Flag(name: .long, help: "Add the request and response bodies.")
    var withBodies = false
    @Option(name: [.customShort("o"), .long], help: "Write to this file (default: standard output).")
    var output: String?

    var resolvedFormat: String {
        if let format { return format.lowercased() }
        switch (output as NSString?)?.pathExtension.lowercased() {
        case "json": return "json"
        case "jsonl", "ndjson": return "jsonl"
        default: return "csv"
        }
    }

    func validate() throws {
        guard ExportWriter.Format(rawValue: resolvedFormat) != nil else {
            throw ValidationError("--format '\(resolvedFormat)' is not csv, json or jsonl")
        }
        do { _ = try ExportField.parse(fields, withBodies: withBodies) } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        let format = resolvedFormat
        let filters: [(String, String?)] = [
            ("env", records.env), ("model", records.model), ("since", since), ("until", until), ("filter", records.filter),
        ]
        let statsQuery = LLMTraceClient.query(filters)
        let exportQuery = LLMTraceClient.query(
            filters + [("format", format), ("fields", fields), ("withBodies", withBodies ? "true" : nil)]
        )
        let opened = try await connection.open()
        defer { Task { await opened.close() } }

        let handle: FileHandle
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil), let file = FileHandle(forWritingAtPath: output) else {
                throw CLIError("cannot write \(output)")
            }
            handle = file
        } else {
            handle = FileHandle.standardOutput
        }
        let showProgress = isatty(STDERR_FILENO) == 1 && (output != nil || isatty(STDOUT_FILENO) == 0)
        let total = showProgress ? (try? await opened.client.get("/api/stats" + statsQuery, as: Stats.self))?.totalRequests : nil
        var progress = ExportProgress(format: format, total: total)
        var lastDrawn = ContinuousClock.now
        do {
            try await opened.client.download("/api/export" + exportQuery) { chunk in
                handle.write(Data(chunk.readableBytesView))
                progress.add(chunk)
                if showProgress, ContinuousClock.now - lastDrawn > .milliseconds(200) {
                    lastDrawn = .now
                    FileHandle.standardError.write(Data("\r\u{1B}[2K\(progress.line)".utf8))
                }
            }
        } catch {
            throw CLIError(error.description)
        }
        if output != nil { try? handle.close() }
        if showProgress {
            FileHandle.standardError.write(Data("\r\u{1B}[2K\(progress.line)\(output.map { " · written to \($0)" } ?? "")\n".utf8))
        }
    }
}
