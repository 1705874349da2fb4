import Foundation
import Testing

@testable import Server

/// `--metrics-public`, `--otlp-endpoint` (and `OTEL_EXPORTER_OTLP_ENDPOINT`) and `--otlp-content` from
/// flags, the config file and the environment.
@Suite struct ObservabilityConfigurationTests {
    static func resolve(_ flags: [ConfigResolver.Key: String] = [:], env: [String: String] = [:], file: String? = nil) throws -> ServerConfiguration {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("llmtrace-obs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        if let file { try file.write(to: dir.appendingPathComponent(".llmtracerc.yaml"), atomically: true, encoding: .utf8) }
        return try ConfigResolver(flags: flags, environment: env, workingDirectory: dir, configPath: nil).resolve().0
    }

    @Test func offByDefault() throws {
        let c = try Self.resolve()
        #expect(!c.metricsPublic && c.otlpEndpoint == nil && !c.otlpContent)
        #expect(c.otlpSummary == "off")
    }

    @Test func flagsFileAndEnvironment() throws {
        let flags = try Self.resolve([.metricsPublic: "true", .otlpEndpoint: "http://127.0.0.1:4318", .otlpContent: "true"])
        #expect(flags.metricsPublic && flags.otlpEndpoint == "http://127.0.0.1:4318" && flags.otlpContent)
        #expect(flags.otlpSummary == "http://127.0.0.1:4318 over OTLP/HTTP, with prompts and answers")
        let file = try Self.resolve(file: "metrics-public: true\notlpEndpoint: http://collector.local:4318/\n")
        #expect(file.metricsPublic && file.otlpEndpoint == "http://collector.local:4318/")
        let standard = try Self.resolve(env: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"])
        #expect(standard.otlpEndpoint == "http://127.0.0.1:4318" && !standard.otlpContent)
        let ours = try Self.resolve(env: ["LLMTRACE_OTLP_ENDPOINT": "http://a:1", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://b:2"])
        #expect(ours.otlpEndpoint == "http://a:1")
        // A user and password in the URL never reach the banner.
        let secret = try Self.resolve([.otlpEndpoint: "https://user:pw@collector.example:4318/otlp"])
        #expect(secret.otlpSummary == "https://collector.example:4318 over OTLP/HTTP")
    }

    @Test func aBadEndpointSaysWhatToGive() {
        #expect {
            try Self.resolve([.otlpEndpoint: "collector:4317"])
        } throws: { error in
            (error as? ConfigurationError)?.message.contains("http://127.0.0.1:4318") == true
        }
        #expect(throws: ConfigurationError.self) { try Self.resolve([.metricsPublic: "perhaps"]) }
    }
}
