import Foundation
import LLMTraceModel
import Testing

@testable import Server

@Suite struct ConfigResolverTests {
    /// A fresh directory tree: root/.llmtracerc-holder/sub/deeper
    static func tempDir() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("llmtrace-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func defaultsApplyWhenNothingIsSet() throws {
        let dir = try Self.tempDir()
        let (c, file) = try ConfigResolver(flags: [:], environment: [:], workingDirectory: dir, configPath: nil).resolve()
        #expect(file == nil)
        var expected = ServerConfiguration()
        expected.socketPath = SocketPath.defaultPath(environment: [:])
        #expect(c == expected)
        #expect(c.port == 8080)
        #expect(c.host == "127.0.0.1")
        #expect(c.database == ":memory:")
        #expect(c.maxBodyBytes == 10 * 1024 * 1024)
        #expect(c.memoryLimit == 10_000)
    }

    @Test func environmentBeatsDefaults() throws {
        let dir = try Self.tempDir()
        let env = [
            "PORT": "9000", "LLMTRACE_DB": "/tmp/x.db", "LLMTRACE_MAX_BODY": "1MiB", "LLMTRACE_PASSWORD": "pw", "LLMTRACE_LOG_LEVEL": "debug",
            "LLMTRACE_MEMORY_LIMIT": "5",
        ]
        let (c, _) = try ConfigResolver(flags: [:], environment: env, workingDirectory: dir, configPath: nil).resolve()
        #expect(c.port == 9000)
        #expect(c.database == "/tmp/x.db")
        #expect(c.maxBodyBytes == 1 << 20)
        #expect(c.password == "pw")
        #expect(c.logLevel == .debug)
        #expect(c.memoryLimit == 5)
    }

    @Test func llmtracePortBeatsPlainPort() throws {
        let dir = try Self.tempDir()
        let (c, _) = try ConfigResolver(flags: [:], environment: ["PORT": "1", "LLMTRACE_PORT": "2"], workingDirectory: dir, configPath: nil)
            .resolve()
        #expect(c.port == 2)
    }

    @Test func configFileBeatsEnvironmentAndIsFoundUpward() throws {
        let root = try Self.tempDir()
        try #"{"port": 7000, "db": "from-file.db", "max-body": "2KB"}"#.write(
            to: root.appendingPathComponent(".llmtracerc.json"),
            atomically: true,
            encoding: .utf8
        )
        let deep = root.appendingPathComponent("a/b/c")
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        let (c, file) = try ConfigResolver(
            flags: [:],
            environment: ["PORT": "9000", "LLMTRACE_DB": "env.db"],
            workingDirectory: deep,
            configPath: nil
        ).resolve()
        #expect(file?.lastPathComponent == ".llmtracerc.json")
        #expect(c.port == 7000)
        #expect(c.database == "from-file.db")
        #expect(c.maxBodyBytes == 2048)
    }

    @Test func flagsBeatEverything() throws {
        let root = try Self.tempDir()
        try "port: 7000\nhost: 0.0.0.0\n".write(to: root.appendingPathComponent(".llmtracerc"), atomically: true, encoding: .utf8)
        let (c, _) = try ConfigResolver(flags: [.port: "6000"], environment: ["PORT": "9000"], workingDirectory: root, configPath: nil).resolve()
        #expect(c.port == 6000)
        #expect(c.host == "0.0.0.0")
        #expect(c.listensPublicly)
    }

    @Test(arguments: [".llmtracerc", ".llmtracerc.json", ".llmtracerc.yaml", ".llmtracerc.yml", "llmtrace.config.json"])
    func everyFileNameIsFound(name: String) throws {
        let root = try Self.tempDir()
        try #"{"memoryLimit": 42}"#.write(to: root.appendingPathComponent(name), atomically: true, encoding: .utf8)
        let (c, file) = try ConfigResolver(flags: [:], environment: [:], workingDirectory: root, configPath: nil).resolve()
        #expect(file?.lastPathComponent == name)
        #expect(c.memoryLimit == 42)
    }

    @Test func explicitConfigPathWinsOverSearchAndMustExist() throws {
        let root = try Self.tempDir()
        try #"{"port": 1111}"#.write(to: root.appendingPathComponent(".llmtracerc"), atomically: true, encoding: .utf8)
        try "port: 2222".write(to: root.appendingPathComponent("custom.yaml"), atomically: true, encoding: .utf8)
        let (c, _) = try ConfigResolver(flags: [:], environment: [:], workingDirectory: root, configPath: "custom.yaml").resolve()
        #expect(c.port == 2222)
        #expect(throws: ConfigurationError.self) {
            try ConfigResolver(flags: [:], environment: [:], workingDirectory: root, configPath: "missing.json").resolve()
        }
    }

    @Test func sharedModeNeedsADatabaseServerAndALongEnoughSecret() throws {
        let root = try Self.tempDir()
        func resolve(_ flags: [ConfigResolver.Key: String], _ env: [String: String] = [:]) throws(ConfigurationError) -> ServerConfiguration {
            try ConfigResolver(flags: flags, environment: env, workingDirectory: root, configPath: nil).resolve().0
        }
        func message(_ flags: [ConfigResolver.Key: String], _ env: [String: String] = [:]) -> String {
            do {
                _ = try resolve(flags, env)
                return ""
            } catch {
                return error.message
            }
        }
        let pg = "postgres://u:p@127.0.0.1:5432/db"
        #expect(message([.mode: "shared"]).contains("postgres://"))
        #expect(message([.mode: "shared", .db: "./trace.db"]).contains("SQLite file ./trace.db"))
        #expect(message([.mode: "team"]).contains("'local'"))
        let c = try resolve([.mode: "shared", .db: pg])
        #expect(c.isShared && c.adminDatabaseURL == pg && c.jwtSecret == nil)
        #expect(message([.mode: "shared", .db: pg, .adminDb: "./admin.db"]).contains("--admin-db"))
        #expect(message([.mode: "shared", .db: pg], ["JWT_SECRET": "short"]).contains("at least 32"))
        let env = [
            "LLMTRACE_ADMIN_MYSQL_URL": "mysql://u:p@127.0.0.1:3306/admin", "LLMTRACE_JWT_SECRET": String(repeating: "k", count: 32),
            "LLMTRACE_BOOTSTRAP_EMAIL": "a@example.com", "LLMTRACE_BOOTSTRAP_PASSWORD": "password1",
        ]
        let withEnv = try resolve([.mode: "shared", .db: pg], env)
        #expect(withEnv.adminDatabaseURL == "mysql://u:p@127.0.0.1:3306/admin")
        #expect(withEnv.jwtSecret?.count == 32)
        #expect(withEnv.bootstrapEmail == "a@example.com" && withEnv.bootstrapPassword == "password1")
        // Tests shorten access tokens through the environment only; nonsense is refused.
        #expect(withEnv.accessTokenLifetime == 900)
        #expect(try resolve([.mode: "shared", .db: pg], ["LLMTRACE_ACCESS_TOKEN_TTL": "3"]).accessTokenLifetime == 3)
        #expect(message([.mode: "shared", .db: pg], ["LLMTRACE_ACCESS_TOKEN_TTL": "0"]).contains("at least 1 second"))
        #expect(message([.mode: "shared", .db: pg], ["LLMTRACE_ACCESS_TOKEN_TTL": "soon"]).contains("LLMTRACE_ACCESS_TOKEN_TTL"))
        // Standalone mode is as before: no accounts asked for.
        #expect(try resolve([:]).isShared == false)
    }

    @Test func badValuesAreRejectedWithTheirSource() throws {
        let root = try Self.tempDir()
        func message(_ flags: [ConfigResolver.Key: String], _ env: [String: String] = [:]) -> String {
            do {
                _ = try ConfigResolver(flags: flags, environment: env, workingDirectory: root, configPath: nil).resolve()
                return ""
            } catch {
                return error.message
            }
        }
        #expect(message([.port: "99999"]).contains("--port"))
        #expect(message([:], ["PORT": "abc"]).contains("PORT"))
        #expect(message([.maxBody: "ten"]).contains("not a size"))
        #expect(message([.logLevel: "loud"]).contains("log level"))
        #expect(message([.memoryLimit: "0"]).contains("memory limit"))
        #expect(message([.mode: "shared"]).contains("mode 'shared'"))
    }

    @Test func unknownSettingsAndInvalidFilesAreReported() throws {
        let root = try Self.tempDir()
        try #"{"prot": 1}"#.write(to: root.appendingPathComponent(".llmtracerc"), atomically: true, encoding: .utf8)
        #expect(throws: ConfigurationError.self) {
            try ConfigResolver(flags: [:], environment: [:], workingDirectory: root, configPath: nil).resolve()
        }
        try "[1, 2]".write(to: root.appendingPathComponent(".llmtracerc"), atomically: true, encoding: .utf8)
        #expect(throws: ConfigurationError.self) {
            try ConfigResolver(flags: [:], environment: [:], workingDirectory: root, configPath: nil).resolve()
        }
    }

    @Test func socketDefaultsAndCanBeTurnedOff() throws {
        let dir = try Self.tempDir()
        let xdg = try ConfigResolver(flags: [:], environment: ["XDG_RUNTIME_DIR": "/run/user/7"], workingDirectory: dir, configPath: nil).resolve().0
        #expect(xdg.socketPath == "/run/user/7/llmtrace.sock")
        let home = try ConfigResolver(flags: [:], environment: ["HOME": "/home/me"], workingDirectory: dir, configPath: nil).resolve().0
        #expect(home.socketPath == "/home/me/.llmtrace/llmtrace.sock")
        let off = try ConfigResolver(flags: [.socket: ""], environment: [:], workingDirectory: dir, configPath: nil).resolve().0
        #expect(off.socketPath == nil)
        let named = try ConfigResolver(flags: [.socket: "/tmp/x.sock"], environment: [:], workingDirectory: dir, configPath: nil).resolve().0
        #expect(named.socketPath == "/tmp/x.sock")
    }

    @Test func byteSizes() {
        #expect(ConfigResolver.parseByteSize("10MiB") == 10 << 20)
        #expect(ConfigResolver.parseByteSize("512kb") == 512 << 10)
        #expect(ConfigResolver.parseByteSize("1G") == 1 << 30)
        #expect(ConfigResolver.parseByteSize("123") == 123)
        #expect(ConfigResolver.parseByteSize("12 parsecs") == nil)
        #expect(ConfigResolver.parseByteSize("99999999999999999999G") == nil)
    }

    @Test func tlsPairComesFromFlagsFileOrEnvironmentAndMustBeWhole() throws {
        let dir = try Self.tempDir()
        let env = ["LLMTRACE_TLS_CERT": "/env/cert.pem", "LLMTRACE_TLS_KEY": "/env/key.pem"]
        let (fromEnv, _) = try ConfigResolver(flags: [:], environment: env, workingDirectory: dir, configPath: nil).resolve()
        #expect(fromEnv.tlsCertificatePath == "/env/cert.pem")
        #expect(fromEnv.tlsKeyPath == "/env/key.pem")
        #expect(fromEnv.usesTLS)
        #expect(fromEnv.urlScheme == "https")

        try "tlsCert: /file/cert.pem\ntls-key: /file/key.pem\n".write(
            to: dir.appendingPathComponent(".llmtracerc.yaml"),
            atomically: true,
            encoding: .utf8
        )
        let (fromFile, _) = try ConfigResolver(flags: [.tlsCert: "/flag/cert.pem"], environment: env, workingDirectory: dir, configPath: nil)
            .resolve()
        #expect(fromFile.tlsCertificatePath == "/flag/cert.pem")
        #expect(fromFile.tlsKeyPath == "/file/key.pem")

        let plain = try ConfigResolver(flags: [:], environment: [:], workingDirectory: try Self.tempDir(), configPath: nil).resolve().0
        #expect(!plain.usesTLS)
        #expect(plain.urlScheme == "http")

        #expect(throws: ConfigurationError.self) {
            try ConfigResolver(flags: [.tlsCert: "/c.pem"], environment: [:], workingDirectory: try Self.tempDir(), configPath: nil).resolve()
        }
        do {
            _ = try ConfigResolver(flags: [:], environment: ["LLMTRACE_TLS_KEY": "/k.pem"], workingDirectory: try Self.tempDir(), configPath: nil)
                .resolve()
            Issue.record("a key without a certificate was accepted")
        } catch {
            #expect("\(error)".contains("LLMTRACE_TLS_KEY needs --tls-cert"))
        }
    }

    @Test func forwardProxySettingsComeFromFlagsFilesAndTheEnvironment() throws {
        let dir = try Self.tempDir()
        try "captureHosts: ['llm.internal', '*.example.com']\nforwardEnv: agents\nallowPrivate: true\n".write(
            to: dir.appendingPathComponent(".llmtracerc.yaml"),
            atomically: true,
            encoding: .utf8
        )
        let (fromFile, _) = try ConfigResolver(flags: [:], environment: ["LLMTRACE_CA_DIR": "/tmp/ca"], workingDirectory: dir, configPath: nil)
            .resolve()
        #expect(fromFile.forwardProxy.captureHosts == ["llm.internal", "*.example.com"])
        #expect(fromFile.forwardProxy.env == "agents")
        #expect(fromFile.forwardProxy.allowPrivate)
        #expect(!fromFile.forwardProxy.captureAll)
        #expect(fromFile.forwardProxy.caDirectory == "/tmp/ca")
        #expect(fromFile.forwardProxy.captures("api.openai.com") && fromFile.forwardProxy.captures("a.b.example.com"))
        #expect(fromFile.forwardProxy.captures("LLM.internal.") && !fromFile.forwardProxy.captures("example.com"))
        #expect(!fromFile.forwardProxy.captures("github.com"))

        let (flags, _) = try ConfigResolver(flags: [.captureAll: "true"], environment: [:], workingDirectory: try Self.tempDir(), configPath: nil)
            .resolve()
        #expect(flags.forwardProxy.captures("github.com"))

        for (key, value, message) in [
            (ConfigResolver.Key.captureHost, "https://x.com/", "--capture-host: 'https://x.com/' is not a host name"),
            (.forwardEnv, "a b", "--forward-env: env 'a b' may hold only"), (.captureAll, "maybe", "--capture-all: 'maybe' is not true or false"),
        ] {
            #expect {
                _ = try ConfigResolver(flags: [key: value], environment: [:], workingDirectory: try Self.tempDir(), configPath: nil).resolve()
            } throws: { "\($0)".contains(message) }
        }
    }

    @Test func listsComeFromRepeatedFlagsFileArraysOrCommas() throws {
        let dir = try Self.tempDir()
        try "allowUpstreams: ['*.openai.com', 'localhost:11434']\ntrusted-proxies:\n  - 127.0.0.1\n  - 10.0.0.0/8\n".write(
            to: dir.appendingPathComponent(".llmtracerc.yaml"),
            atomically: true,
            encoding: .utf8
        )
        let env = ["LLMTRACE_ALLOW_UPSTREAMS": "api.anthropic.com, 192.168.0.0/16", "LLMTRACE_TRUSTED_PROXIES": "::1"]
        let (fromFile, _) = try ConfigResolver(flags: [:], environment: env, workingDirectory: dir, configPath: nil).resolve()
        #expect(fromFile.allowUpstreams.map(\.description) == ["*.openai.com", "localhost:11434"])
        #expect(fromFile.trustedProxies.map(\.description) == ["127.0.0.1/32", "10.0.0.0/8"])

        let (fromEnv, _) = try ConfigResolver(flags: [:], environment: env, workingDirectory: try Self.tempDir(), configPath: nil).resolve()
        #expect(fromEnv.allowUpstreams.map(\.description) == ["api.anthropic.com", "192.168.0.0/16"])
        #expect(fromEnv.trustedProxies.map(\.description) == ["::1/128"])

        let bad: [(ConfigResolver.Key, String, String)] = [
            (.allowUpstream, "10.0.0.0/33", "--allow-upstream: '10.0.0.0/33' is not an upstream pattern"),
            (.trustedProxy, "proxy.internal", "--trusted-proxy: 'proxy.internal' is not an address or CIDR block"),
        ]
        let empty = try Self.tempDir()
        for (key, value, message) in bad {
            do {
                _ = try ConfigResolver(flags: [key: value], environment: [:], workingDirectory: empty, configPath: nil).resolve()
                Issue.record("\(value) was accepted")
            } catch {
                #expect(error.message.hasPrefix(message), "\(error.message)")
            }
        }
        // A list where one value is expected is refused.
        try "port: [1, 2]\n".write(to: dir.appendingPathComponent(".llmtracerc.yaml"), atomically: true, encoding: .utf8)
        #expect(throws: ConfigurationError.self) {
            try ConfigResolver(flags: [:], environment: [:], workingDirectory: dir, configPath: nil).resolve()
        }
    }
}
