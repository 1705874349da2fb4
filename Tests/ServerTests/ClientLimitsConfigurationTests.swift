import Foundation
import Testing

@testable import Server

/// `--max-head-size`, `--max-connections-per-client`, `--max-proxy-connections-per-client` and
/// `--client-idle-timeout` through ``ConfigResolver``: defaults, every source, and the errors.
@Suite struct ClientLimitsConfigurationTests {
    static func resolve(flags: [ConfigResolver.Key: String] = [:], environment: [String: String] = [:]) throws -> ServerConfiguration {
        try ConfigResolver(flags: flags, environment: environment, workingDirectory: ConfigResolverTests.tempDir(), configPath: nil).resolve().0
    }

    @Test func theDefaultsSuitAServerOnANetwork() throws {
        let c = try Self.resolve()
        #expect(c.maxHeadBytes == 64 * 1024)
        #expect(c.maxConnectionsPerClient == 64)
        #expect(c.maxProxyConnectionsPerClient == 0)
        #expect(c.clientIdleTimeoutSeconds == 30)
        #expect(c.keepAliveTimeoutSeconds == 75)
    }

    @Test func flagsEnvironmentAndConfigFileSetThem() throws {
        let flags = try Self.resolve(flags: [
            .maxHeadSize: "16KiB", .maxConnectionsPerClient: "8", .maxProxyConnectionsPerClient: "200", .clientIdleTimeout: "2.5s",
            .keepAliveTimeout: "120",
        ])
        #expect(flags.maxHeadBytes == 16 * 1024)
        #expect(flags.maxConnectionsPerClient == 8)
        #expect(flags.maxProxyConnectionsPerClient == 200)
        #expect(flags.clientIdleTimeoutSeconds == 2.5)
        #expect(flags.keepAliveTimeoutSeconds == 120)

        let env = try Self.resolve(environment: [
            "LLMTRACE_MAX_HEAD_SIZE": "1MiB", "LLMTRACE_MAX_CONNECTIONS_PER_CLIENT": "0",
            "LLMTRACE_MAX_PROXY_CONNECTIONS_PER_CLIENT": "16", "LLMTRACE_CLIENT_IDLE_TIMEOUT": "0",
            "LLMTRACE_KEEP_ALIVE_TIMEOUT": "0",
        ])
        #expect(env.maxHeadBytes == 1 << 20)
        #expect(env.maxConnectionsPerClient == 0)
        #expect(env.maxProxyConnectionsPerClient == 16)
        #expect(env.clientIdleTimeoutSeconds == 0)
        #expect(env.keepAliveTimeoutSeconds == 0)

        let dir = try ConfigResolverTests.tempDir()
        try "max-head-size: 32KiB\nmaxConnectionsPerClient: 4\nclient-idle-timeout: 10\n".write(
            to: dir.appendingPathComponent(".llmtracerc.yaml"),
            atomically: true,
            encoding: .utf8
        )
        let (file, _) = try ConfigResolver(flags: [:], environment: [:], workingDirectory: dir, configPath: nil).resolve()
        #expect(file.maxHeadBytes == 32 * 1024)
        #expect(file.maxConnectionsPerClient == 4)
        #expect(file.clientIdleTimeoutSeconds == 10)
    }

    @Test func badValuesAreConfigurationErrorsThatNameTheSetting() throws {
        let cases: [(ConfigResolver.Key, String, String)] = [
            (.maxHeadSize, "lots", "--max-head-size: 'lots' is not a size of at least 1KiB"),
            (.maxHeadSize, "100", "--max-head-size: '100' is not a size of at least 1KiB"),
            (.maxConnectionsPerClient, "-1", "--max-connections-per-client: '-1' is not a number of connections"),
            (.maxProxyConnectionsPerClient, "many", "--max-proxy-connections-per-client: 'many' is not a number of connections"),
            (.clientIdleTimeout, "soon", "--client-idle-timeout: 'soon' is not a number of seconds"),
        ]
        for (key, value, message) in cases {
            #expect {
                try Self.resolve(flags: [key: value])
            } throws: { error in
                ((error as? ConfigurationError)?.message ?? "").hasPrefix(message)
            }
        }
    }
}
