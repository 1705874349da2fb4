import Foundation
import Testing

let browserAvailable =
    FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")

/// The web panel in a real headless Chromium: runs the selenium suites in Tests/Browser against the
/// binary just built (which serves its embedded panel). .ci/run installs chromium, chromium-driver,
/// selenium and pytest; without them these tests are skipped rather than silently passing.
// One Chromium at a time: three at once on a 2-core machine starve the in-flight checks.
@Suite(.enabled(if: browserAvailable), .serialized)
struct BrowserEndToEndTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs one pytest file of Tests/Browser; its output when it fails.
    func runBrowserTests(_ file: String) async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["LLMTRACE_BIN"] = LLMTraceProcess.binary.path
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        environment.removeValue(forKey: "LLMTRACE_WEB_ROOT")
        let (status, output) = try await runCommand(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", Self.packageRoot.appendingPathComponent("Tests/Browser/\(file)").path],
            environment: environment,
            timeout: .seconds(300)
        )
        #expect(status == 0, "browser tests failed:\n\(output)")
        #expect(output.contains("passed") && !output.contains("skipped"), "\(output)")
    }

    @Test func thePanelPassesItsBrowserTests() async throws {
        try await runBrowserTests("test_panel.py")
    }

    /// The Sessions view, the request detail's Diff tab and Replay, against an agent run through the proxy.
    @Test func theSessionsDiffAndReplayPassTheirBrowserTests() async throws {
        try await runBrowserTests("test_sessions.py")
    }

    /// The panel over HTTPS (`--tls-cert`/`--tls-key`): it loads and goes live.
    @Test func thePanelLoadsOverHTTPS() async throws {
        try await runBrowserTests("test_tls.py")
    }

    /// Shared mode on PostgreSQL: the sign-in page, two teams' members each seeing only their own
    /// traffic, the admin pages, invitations.
    @Test(.enabled(if: clusterPostgresURL != nil, "LLMTRACE_TEST_POSTGRES_URL is not set: the shared-mode panel test is skipped"))
    func theSharedModePanelPassesItsBrowserTests() async throws {
        try await runBrowserTests("test_shared.py")
    }
}
