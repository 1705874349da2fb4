import ArgumentParser
import Client
import Foundation
import LLMTraceModel

/// `llmtrace report`: requests, errors, tokens and cost per model, environment, UTC day or month.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Cost report: requests, errors, tokens and cost per model, env, UTC day or month, with totals.",
        discussion: "Example: llmtrace report --by day --since 30d --env prod --format csv > costs.csv"
    )

    @OptionGroup var connection: ConnectionOptions
    @Option(name: .long, help: "Group by: \(ReportGrouping.choices).")
    var by: String = ReportGrouping.model.rawValue
    @Option(name: .long, help: "Only requests since: an ISO-8601 time, Unix seconds, or a duration ago (24h, 30d).")
    var since: String = "30d"
    @Option(name: .long, help: "Only requests before this time (same forms as --since).")
    var until: String?
    @OptionGroup var records: RecordFilterOptions
    @Option(name: .long, help: "table (aligned, for a terminal), csv or json.")
    var format: String = "table"

    func validate() throws {
        guard ReportGrouping(rawValue: by.lowercased()) != nil else { throw ValidationError("--by '\(by)' is not \(ReportGrouping.choices)") }
        guard ["table", "csv", "json"].contains(format.lowercased()) else { throw ValidationError("--format '\(format)' is not table, csv or json") }
    }

    func run() async throws {
        let query = LLMTraceClient.query([
            ("by", by.lowercased()), ("since", since), ("until", until), ("env", records.env), ("model", records.model),
            ("filter", records.filter),
        ])
        let opened = try await connection.open()
        defer { Task { await opened.close() } }
        let report: Report
        do { report = try await opened.client.get("/api/report" + query) } catch { throw CLIError(error.description) }
        switch format.lowercased() {
        case "csv":
            FileHandle.standardOutput.write(Data(report.csv().utf8))
        case "json":
            let data = try JSONCoding.makeEncoder(pretty: true).encode(report)
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        default:
            let terminal = isatty(STDOUT_FILENO) == 1 && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
            FileHandle.standardOutput.write(Data(ReportTable(report, bold: terminal).text.utf8))
        }
    }
}
