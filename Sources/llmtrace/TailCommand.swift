import ArgumentParser
import Client
import Foundation
import LLMTraceModel

/// `llmtrace tail`: one line per completed request, as they happen.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print each completed request as it finishes (JSON lines with --json)."
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var records: RecordFilterOptions
    @Flag(name: .long, help: "Print each completed request's summary as one JSON line.")
    var json = false

    func run() async throws {
        let opened = try await connection.open()
        let printer = TailPrinter(json: json)
        printer.status("following \(opened.label)")
        for await update in opened.events(env: records.env, model: records.model, filter: records.filter) {
            switch update {
            case .state(.live): printer.status("connected to \(opened.label)")
            case .state(.reconnecting(let reason, let attempt, let retryIn)):
                let wait = retryIn < 1 ? "\(Int(retryIn * 1000))ms" : String(format: "%gs", retryIn)
                printer.status("server unreachable (\(reason)); retry \(attempt) in \(wait)")
            case .state(.offline(let reason)):
                await opened.close()
                throw CLIError(reason)
            case .state(.connecting): break
            case .event(let event): printer.print(event)
            }
        }
        await opened.close()
    }
}

/// Formats tail output.
struct TailPrinter {
    let json: Bool

    func print(_ event: LiveEvent) {
        switch event.kind {
        case .completed:
            if json {
                write(event.json + "\n")
                return
            }
            guard case .completed(let s)? = try? event.payload() else { return }
            write(Self.line(s) + "\n")
        case .cleared:
            if !json { write("— cleared —\n") }
        case .alert:
            // JSON: the event's data as it came (a BudgetAlert: `rule`, `message`, …); text: one line.
            if json {
                write(event.json.replacingOccurrences(of: "\n", with: " ") + "\n")
                return
            }
            guard case .alert(let alert)? = try? event.payload() else { return }
            write(Self.alertLine(alert) + "\n")
        default:
            break
        }
    }

    static func line(_ s: TraceSummary) -> String {
        let time = s.startedAt.formatted(.iso8601.time(includingFractionalSeconds: false).timeSeparator(.colon))
        let status = s.status.map(String.init) ?? "-"
        let duration = s.durationMs.map { $0 >= 1000 ? String(format: "%.1fs", $0 / 1000) : String(format: "%.0fms", $0) } ?? "-"
        let tokens = "\(s.usage.inputTokens.map(String.init) ?? "-")→\(s.usage.outputTokens.map(String.init) ?? "-") tok"
        let cost = s.estimatedCost.map { String(format: "$%.6f", $0) } ?? "$-"
        let model = s.model ?? "\(s.method) \(s.host)\(s.path)"
        var line = "\(time)  \(s.env)  \(model)  \(status)  \(duration)  \(tokens)  \(cost)"
        if let error = s.error { line += "  ! \(error.type): \(error.message)" } else if !s.complete { line += "  (cut off)" }
        return line
    }

    /// `12:03:10  ⚠ budget alert: team alpha spent $12.40 today, over its $10.00 daily budget`
    static func alertLine(_ alert: BudgetAlert) -> String {
        let time = alert.at.formatted(.iso8601.time(includingFractionalSeconds: false).timeSeparator(.colon))
        return "\(time)  ⚠ budget alert: \(alert.message)"
    }

    func status(_ message: String) {
        FileHandle.standardError.write(Data("llmtrace tail: \(message)\n".utf8))
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
