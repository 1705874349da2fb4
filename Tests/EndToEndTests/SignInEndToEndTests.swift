import Foundation
import NIOHTTP1
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `llmtrace login`, `tail`, `tui` and `logout` as real processes against a real shared-mode server on
/// PostgreSQL, with access tokens that live 8 seconds so the clients must refresh them.
@Suite(.enabled(if: clusterPostgresURL != nil, "LLMTRACE_TEST_POSTGRES_URL is not set: the sign-in end-to-end test is skipped"))
struct SignInEndToEndTests {
    typealias Call = SharedModeEndToEndTests

    /// A client command's environment: its own credentials file and home, nothing of the developer's.
    struct ClientHome {
        let directory: URL
        var credentials: String { directory.appendingPathComponent("credentials/credentials.json").path }
        var environment: [String: String] {
            LLMTraceProcess.childEnvironment([
                "LLMTRACE_CREDENTIALS": credentials, "HOME": directory.path, "XDG_RUNTIME_DIR": directory.path,
            ])
        }
        var extra: [String: String] { ["LLMTRACE_CREDENTIALS": credentials, "HOME": directory.path, "XDG_RUNTIME_DIR": directory.path] }

        func run(_ arguments: [String], input: String? = nil) async throws -> (Int32, String) {
            try await LLMTraceProcess.runToEnd(arguments, environment: extra, input: input)
        }

        func savedToken(_ server: String) throws -> String? {
            guard let data = FileManager.default.contents(atPath: credentials),
                let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                let servers = object["servers"] as? [String: Any]
            else { return nil }
            return (servers[server] as? [String: Any])?["refreshToken"] as? String
        }
    }

    @Test func loginTailTUIRefreshAndLogout() async throws {
        let db = try ClusterEndToEndTests.urlWithFreshSchema()
        let home = ClientHome(directory: try makeTempDirectory())
        defer { try? FileManager.default.removeItem(at: home.directory) }
        let (status, output) = try await LLMTraceProcess.runToEnd(
            ["admin", "bootstrap", "--email", "root@example.com", "--password-stdin", "--db", db],
            input: "root-password\n"
        )
        #expect(status == 0, "\(output)")

        // A standalone server has no accounts, and says so.
        try await withLLMTrace { standalone in
            let (s, out) = try await home.run(
                ["login", "--server", standalone.url, "--email", "a@example.com", "--password-stdin"],
                input: "whatever-password\n"
            )
            #expect(s != 0 && out.contains("not in shared (team) mode"), "\(out)")
        }

        var serverURL = ""
        try await withFakeUpstream { upstream in
            try await withLLMTrace(["--mode", "shared", "--db", db], environment: ["LLMTRACE_ACCESS_TOKEN_TTL": "8"]) { server in
                serverURL = server.url
                let base = server.url
                try await Self.setUpTeams(base)

                // Sign in: a wrong password is refused plainly; the right one is saved, 0600, refresh token only.
                let (wrong, wrongOut) = try await home.run(
                    ["login", "--server", base + "/", "--email", "alice@example.com", "--password-stdin"],
                    input: "not-her-password\n"
                )
                #expect(wrong != 0 && wrongOut.contains("invalid email or password"), "\(wrongOut)")
                #expect(!FileManager.default.fileExists(atPath: home.credentials))
                let (ok, okOut) = try await home.run(
                    ["login", "--server", base + "/", "--email", "alice@example.com", "--password-stdin"],
                    input: "alice-password\n"
                )
                #expect(ok == 0 && okOut.contains("alice@example.com · alpha (admin)"), "\(okOut)")
                #expect(!okOut.contains("alice-password"))
                let attributes = try FileManager.default.attributesOfItem(atPath: home.credentials)
                #expect(attributes[.posixPermissions] as? Int == 0o600)
                let saved = try String(contentsOfFile: home.credentials, encoding: .utf8)
                #expect(!saved.contains("accessToken") && !saved.contains("alice-password"))
                let firstToken = try #require(try home.savedToken(base))

                // tail sees alice's team's traffic only; getting its access token spent the saved refresh
                // token and wrote the new one back.
                let tail = try TailProcess(["tail", "--json", "--server", base], environment: home.environment)
                defer { tail.stop() }
                try await tail.waitFor("connected to")
                let secondToken = try #require(try home.savedToken(base))
                #expect(secondToken != firstToken)
                let body = Array(#"{"model":"gpt-4o"}"#.utf8)
                let beta = try await HTTP.send("\(upstream.route(via: base, env: "beta-env"))/v1/chat/completions", method: .POST, body: body)
                let betaID = try #require(beta.headers.first(name: "x-llmtrace-id"))
                let alpha = try await HTTP.send("\(upstream.route(via: base, env: "alpha-env"))/v1/chat/completions", method: .POST, body: body)
                let alphaID = try #require(alpha.headers.first(name: "x-llmtrace-id"))
                let lines = try await tail.waitForLines(1)
                #expect(lines.first?.contains(alphaID) == true, "\(lines)")
                #expect(!tail.stdout.text.contains(betaID) && !tail.stdout.text.contains("beta-env"))
                tail.stop()

                // Two processes refresh at once once the access tokens expired: they take turns, and the
                // token left in the file is one the server still takes.
                try await Task.sleep(for: .seconds(9))
                let tails = try (0..<2).map { _ in try TailProcess(["tail", "--server", base], environment: home.environment) }
                for t in tails { try await t.waitFor("connected to") }
                for t in tails { t.stop() }
                let (again, againOut) = try await home.run(["logout", "--server", base])  // uses the saved token
                #expect(again == 0 && againOut.contains("Signed alice@example.com out"), "\(againOut)")

                // On a terminal: the email is asked, the password is read without echo.
                let environment = home.extra.map { "\($0.key)='\($0.value)'" }.sorted().joined(separator: " ")
                try await withTmux(command: "env \(environment) \(LLMTraceProcess.binary.path) login --server \(base)", width: 160, height: 20) {
                    tmux in
                    try await tmux.waitFor("Email for \(base):")
                    try await tmux.type("alice@example.com")
                    try await tmux.send("Enter")
                    try await tmux.waitFor("Password:")
                    try await tmux.type("alice-password")
                    try await tmux.send("Enter")
                    try await tmux.waitFor("Signed in to \(base) as alice@example.com · alpha (admin)")
                    #expect(!(try await tmux.screen()).contains("alice-password"))
                }

                // The TUI's header says who is signed in.
                try await withTmux(command: "env \(environment) \(LLMTraceProcess.binary.path) tui --server \(base)", width: 160, height: 30) {
                    tmux in
                    try await tmux.waitFor("alice@example.com · alpha (admin)")
                    try await tmux.waitFor("alpha-env")  // the list has alpha's request, not beta's
                    #expect(!(try await tmux.screen()).contains("beta-env"))
                    try await tmux.send("q")
                    try await tmux.waitUntilExited()
                }

                // A spent refresh token used again revokes the session: tail says how to sign in again.
                let current = try #require(try home.savedToken(base))
                let fileWithSpentToken = try String(contentsOfFile: home.credentials, encoding: .utf8)
                let spender = try TailProcess(["tail", "--server", base], environment: home.environment)
                try await spender.waitFor("connected to")
                spender.stop()
                #expect(try home.savedToken(base) != current)
                try fileWithSpentToken.write(toFile: home.credentials, atomically: true, encoding: .utf8)
                let ended = try TailProcess(["tail", "--server", base], environment: home.environment)
                defer { ended.stop() }
                try await ended.waitFor("sign in again with")
                #expect(await ended.waitForExit(timeout: .seconds(20)).map { $0 != 0 } == true)
                #expect(
                    ended.stderr.text.contains(
                        "your session for \(base) has ended; sign in again with: llmtrace login --server \(base)"
                    ),
                    "\(ended.stderr.text)"
                )
                #expect(try home.savedToken(base) == nil)

                // Signed in again, then out: tail then fails with the sign-in command.
                _ = try await home.run(
                    ["login", "--server", base, "--email", "alice@example.com", "--password-stdin"],
                    input: "alice-password\n"
                )
                let (out, outText) = try await home.run(["logout", "--server", base])
                #expect(out == 0 && outText.contains("Signed alice@example.com out"), "\(outText)")
                #expect(try home.savedToken(base) == nil)
                let (after, afterOut) = try await home.run(["tail", "--server", base])
                #expect(after != 0 && afterOut.contains("sign in with: llmtrace login --server \(base)"), "\(afterOut)")

                // A last session, for signing out while the server is down.
                _ = try await home.run(
                    ["login", "--server", base, "--email", "alice@example.com", "--password-stdin"],
                    input: "alice-password\n"
                )
            }
        }
        // The server is gone: logout removes the session here and says the server was not told.
        #expect(try home.savedToken(serverURL) != nil)
        let (gone, goneOut) = try await home.run(["logout", "--server", serverURL])
        #expect(gone == 0 && goneOut.contains("could not be told"), "\(goneOut)")
        #expect(try home.savedToken(serverURL) == nil)
    }

    /// Teams alpha (alice, admin) and beta (bob, member), with the environments alpha-env and beta-env.
    static func setUpTeams(_ base: String) async throws {
        // A fresh token for each call: they live 8 seconds here, less than this setup may take on a busy machine.
        func root() async throws -> String {
            let login = try await Call.call(.POST, "\(base)/admin/login", body: ["email": "root@example.com", "password": "root-password"])
            return try #require(login.json["accessToken"] as? String)
        }
        for (slug, person, role) in [("alpha", "alice", "admin"), ("beta", "bob", "member")] {
            let team = try await Call.call(.POST, "\(base)/admin/teams", token: try await root(), body: ["slug": slug, "name": slug])
            let teamID = try #require(team.json["id"] as? String)
            let invited = try await Call.call(
                .POST,
                "\(base)/admin/teams/\(teamID)/users",
                token: try await root(),
                body: ["email": "\(person)@example.com", "role": role]
            )
            let token = try #require((invited.json["invite"] as? [String: Any])?["token"] as? String)
            let accepted = try await Call.call(.POST, "\(base)/admin/invites/accept", body: ["token": token, "password": "\(person)-password"])
            #expect(accepted.status == 200, "\(accepted.json)")
            let environment = try await Call.call(
                .POST,
                "\(base)/admin/environments",
                token: try await root(),
                body: ["envId": "\(slug)-env", "teamId": teamID]
            )
            #expect(environment.status == 201, "\(environment.json)")
        }
    }
}
