import ArgumentParser
import Client
import Foundation
import Server

/// `llmtrace setup`: sends an installed service's LLM calls through llmtrace.
struct SetupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "Send an installed service's HTTPS through llmtrace's forward proxy.",
        subcommands: [SetupSystemdCommand.self]
    )
}

/// `llmtrace setup systemd`: a drop-in with the proxy and CA variables for a systemd unit, then a restart.
struct SetupSystemdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "systemd",
        abstract: "Give a systemd service HTTPS_PROXY and llmtrace's CA (a drop-in), and restart it.",
        discussion: """
            Without --unit, asks `openclaw gateway status` for the OpenClaw gateway's unit. Running it again
            changes nothing; --undo removes what it wrote.
            Example: llmtrace setup systemd --user --unit openclaw-gateway.service
            """
    )

    @Flag(name: .long, help: "A user unit (systemctl --user), as OpenClaw installs its gateway.")
    var user = false
    @Option(name: .long, help: "The unit, e.g. openclaw-gateway.service (default: the one `openclaw gateway status` names).")
    var unit: String?
    @Option(name: .long, help: "Where drop-ins go (default ~/.config/systemd/user with --user, else /etc/systemd/system).")
    var unitDir: String?
    @Option(name: .long, help: "The llmtrace server the service goes through (default http://127.0.0.1:8080).")
    var proxy = "http://127.0.0.1:8080"
    @Option(name: .long, help: "The env its calls are recorded under (default: the unit's name).")
    var env: String?
    @Option(name: .long, help: "llmtrace's CA directory (default ~/.llmtrace/ca, or LLMTRACE_CA_DIR).")
    var caDir: String?
    @Flag(name: .long, help: "Remove the block this command wrote, and restart the unit.")
    var undo = false
    @Flag(name: .long, help: "Print what would change, and change nothing.")
    var dryRun = false

    func run() async throws {
        let unit: String
        if let given = self.unit { unit = given } else { unit = try await Self.openClawUnit() }
        guard unit.hasSuffix(".service") || unit.hasSuffix(".scope") || !unit.contains(".") else {
            throw ValidationError("--unit '\(unit)' is not a service unit, such as openclaw-gateway.service")
        }
        let unitName = unit.contains(".") ? unit : unit + ".service"
        let env = self.env ?? String(unitName.prefix { $0 != "." })
        let caDirectory = caDir ?? CertificateAuthority.defaultDirectory()
        let certificate = (caDirectory as NSString).appendingPathComponent(CertificateAuthority.certificateFileName)
        let bundle = (caDirectory as NSString).appendingPathComponent("bundle.pem")
        let server: ServerAddress
        do { server = try ServerAddress(proxy) } catch { throw ValidationError("--proxy: \(error.description)") }
        let variables = ProxiedCommand.environment(
            [:],
            proxyURL: ProxiedCommand.proxyURL(server: server, env: env, password: nil),
            certificate: certificate,
            bundle: bundle
        )
        let setup = SystemdSetup(
            unit: unitName,
            unitDirectory: unitDir ?? SystemdSetup.defaultUnitDirectory(user: user),
            user: user,
            environment: variables.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        )
        let (current, next) = setup.planned(undo: undo)
        if current == next {
            print("\(setup.dropInPath) is already \(undo ? "without llmtrace's block" : "up to date"); nothing to do.")
            return
        }
        let calls = setup.systemctlCalls.map { (["systemctl"] + $0).joined(separator: " ") }
        if dryRun {
            print("Would \(next == nil ? "remove" : "write") \(setup.dropInPath)\(next.map { ":\n\n" + $0 } ?? "")")
            print("Would run: \(calls.joined(separator: "; "))")
            return
        }
        if !undo {
            // The CA, and the bundle of the system's CAs and llmtrace's that the service trusts.
            do {
                let authority = try CertificateAuthority.load(directory: caDirectory)
                _ = try ProxiedCommand.writeBundle(certificatePEM: authority.certificatePEM, directory: caDirectory)
            } catch {
                throw CLIError("\(error)")
            }
        }
        do { _ = try setup.write(undo: undo) } catch {
            throw CLIError(
                "cannot write \(setup.dropInPath): \(error.localizedDescription)\(user ? "" : " (the system manager's units need root: try sudo, or --user)")"
            )
        }
        print("\(undo ? "Removed llmtrace's block from" : "Wrote") \(setup.dropInPath)")
        for call in setup.systemctlCalls {
            let (status, output) = await Self.run(["systemctl"] + call, timeout: .seconds(120))
            guard status == 0 else {
                throw CLIError(
                    "systemctl \(call.joined(separator: " ")) failed (exit \(status)): \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
                )
            }
            print("Ran systemctl \(call.joined(separator: " "))")
        }
        if !undo {
            let login = "\(ProcessInfo.processInfo.environment["USER"] ?? "you")@\(ProcessInfo.processInfo.hostName)"
            print("\(unitName) now sends its HTTPS through \(proxy) (env \(env)); llmtrace must be running there (llmtrace serve).")
            print("Watch it from your laptop: llmtrace tui --ssh \(login)")
        }
    }

    /// The unit `openclaw gateway status` names.
    static func openClawUnit() async throws -> String {
        let (status, output) = await run(["openclaw", "gateway", "status"], timeout: .seconds(15))
        guard status != -1 else {
            throw ValidationError("give the unit with --unit NAME.service (openclaw is not on the PATH to ask: \(output))")
        }
        guard let unit = SystemdSetup.unitNamed(inStatus: output) else {
            throw ValidationError("`openclaw gateway status` named no systemd unit; give it with --unit NAME.service")
        }
        return unit
    }

    /// Runs a program (found on the PATH): its exit status (-1 when it could not start) and output.
    static func run(_ arguments: [String], timeout: Duration) async -> (Int32, String) {
        let process: ChildProcess
        do { process = try ChildProcess(arguments, captureOutput: true) } catch { return (-1, "\(error)") }
        let status = await process.wait(timeout: timeout)
        process.terminate()
        await process.standardOutput.waitForEnd()
        await process.standardError.waitForEnd()
        return (status ?? -1, process.standardOutput.text + process.standardError.text)
    }
}
