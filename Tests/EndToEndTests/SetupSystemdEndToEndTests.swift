import Foundation
import Testing

/// `llmtrace setup systemd` against a unit directory in a temporary directory, with a fake `systemctl`
/// (and `openclaw`) first on the PATH that record how they were called.
@Suite struct SetupSystemdEndToEndTests {
    /// A directory of fake tools that append their arguments to `calls.log`; `openclaw gateway status`
    /// answers as OpenClaw's gateway does when installed as a user unit.
    static func fakeTools(in dir: URL) throws -> (bin: String, log: String) {
        let bin = dir.appendingPathComponent("bin").path
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let log = dir.appendingPathComponent("calls.log").path
        let tools = [
            "systemctl": "#!/bin/sh\necho \"systemctl $*\" >> '\(log)'\n",
            "openclaw":
                "#!/bin/sh\necho \"openclaw $*\" >> '\(log)'\necho 'Gateway: running (systemd user unit openclaw-gateway.service, pid 4242)'\n",
        ]
        for (name, script) in tools {
            let path = (bin as NSString).appendingPathComponent(name)
            try script.write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
        return (bin, log)
    }

    static func calls(_ log: String) -> [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func theDropInIsWrittenOnceRestartsTheUnitAndIsUndone() async throws {
        try await withTempDirectory { dir in
            let (bin, log) = try Self.fakeTools(in: dir)
            let units = dir.appendingPathComponent("units").path
            let ca = dir.appendingPathComponent("ca").path
            var environment = ProcessInfo.processInfo.environment
            environment["PATH"] = bin + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
            let base = ["setup", "systemd", "--user", "--unit-dir", units, "--ca-dir", ca]
            let dropIn = units + "/openclaw-gateway.service.d/llmtrace.conf"

            // Dry run: says what it would do, writes and runs nothing.
            let (dryStatus, dry) = try await LLMTraceProcess.runToEnd(
                base + ["--unit", "openclaw-gateway.service", "--dry-run"],
                environment: environment
            )
            #expect(dryStatus == 0, "\(dry)")
            #expect(dry.contains("Would write \(dropIn)") && dry.contains("HTTPS_PROXY=http://openclaw-gateway@127.0.0.1:8080"), "\(dry)")
            #expect(!FileManager.default.fileExists(atPath: dropIn))
            #expect(Self.calls(log).isEmpty)

            // Without --unit, OpenClaw is asked which unit its gateway is.
            let (status, output) = try await LLMTraceProcess.runToEnd(base, environment: environment)
            #expect(status == 0, "\(output)")
            #expect(output.contains("llmtrace tui --ssh "), "\(output)")
            let written = try String(contentsOfFile: dropIn, encoding: .utf8)
            #expect(written.hasPrefix("# >>> llmtrace managed block"), "\(written)")
            for line in [
                "[Service]", #"Environment="HTTPS_PROXY=http://openclaw-gateway@127.0.0.1:8080""#,
                #"Environment="NO_PROXY=localhost,127.0.0.1,::1""#, #"Environment="NODE_EXTRA_CA_CERTS=\#(ca)/llmtrace-ca.pem""#,
                #"Environment="NODE_USE_ENV_PROXY=1""#, #"Environment="SSL_CERT_FILE=\#(ca)/bundle.pem""#,
                #"Environment="REQUESTS_CA_BUNDLE=\#(ca)/bundle.pem""#,
            ] {
                #expect(written.contains(line + "\n"), "\(line) in \(written)")
            }
            #expect(FileManager.default.fileExists(atPath: ca + "/llmtrace-ca.pem"))
            let bundle = try String(contentsOfFile: ca + "/bundle.pem", encoding: .utf8)
            #expect(bundle.hasSuffix(try String(contentsOfFile: ca + "/llmtrace-ca.pem", encoding: .utf8)))
            #expect(
                Self.calls(log) == [
                    "openclaw gateway status", "systemctl --user daemon-reload", "systemctl --user restart openclaw-gateway.service",
                ]
            )

            // Again: nothing changes, nothing restarts.
            let (againStatus, again) = try await LLMTraceProcess.runToEnd(base + ["--unit", "openclaw-gateway.service"], environment: environment)
            #expect(againStatus == 0 && again.contains("nothing to do"), "\(again)")
            #expect(try String(contentsOfFile: dropIn, encoding: .utf8) == written)
            #expect(Self.calls(log).count == 3)

            // Lines the user added to the drop-in survive the block's removal.
            try ("# mine\n[Service]\nEnvironment=\"FOO=1\"\n\n" + written).write(toFile: dropIn, atomically: true, encoding: .utf8)
            let (undoStatus, undone) = try await LLMTraceProcess.runToEnd(
                base + ["--unit", "openclaw-gateway.service", "--undo"],
                environment: environment
            )
            #expect(undoStatus == 0, "\(undone)")
            #expect(try String(contentsOfFile: dropIn, encoding: .utf8) == "# mine\n[Service]\nEnvironment=\"FOO=1\"\n")
            #expect(Self.calls(log).suffix(2) == ["systemctl --user daemon-reload", "systemctl --user restart openclaw-gateway.service"])

            // A drop-in holding only the block is removed whole.
            try written.write(toFile: dropIn, atomically: true, encoding: .utf8)
            _ = try await LLMTraceProcess.runToEnd(base + ["--unit", "openclaw-gateway.service", "--undo"], environment: environment)
            #expect(!FileManager.default.fileExists(atPath: dropIn))
        }
    }

    @Test func aFailingSystemctlIsReported() async throws {
        try await withTempDirectory { dir in
            let (bin, _) = try Self.fakeTools(in: dir)
            try "#!/bin/sh\necho 'Failed to connect to bus: No medium found' >&2\nexit 1\n".write(
                toFile: bin + "/systemctl",
                atomically: true,
                encoding: .utf8
            )
            var environment = ProcessInfo.processInfo.environment
            environment["PATH"] = bin + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
            let (status, output) = try await LLMTraceProcess.runToEnd(
                ["setup", "systemd", "--user", "--unit", "agent.service", "--unit-dir", dir.path + "/units", "--ca-dir", dir.path + "/ca"],
                environment: environment
            )
            #expect(status != 0)
            #expect(output.contains("systemctl --user daemon-reload failed") && output.contains("Failed to connect to bus"), "\(output)")
        }
    }
}
