import Foundation
import PostgresNIO
import Testing

@testable import Server

/// `sslmode` against a real PostgreSQL server with TLS (scripts/dev-databases gives it a certificate
/// for 127.0.0.1 from a throwaway CA, named by `LLMTRACE_TEST_DATABASE_CA`).
@Suite(
    .enabled(
        if: conformancePostgresURL != nil && ProcessInfo.processInfo.environment["LLMTRACE_TEST_DATABASE_CA"] != nil,
        "LLMTRACE_TEST_POSTGRES_URL or LLMTRACE_TEST_DATABASE_CA is not set: PostgreSQL TLS tests skipped"
    )
)
struct PostgresTLSTests {
    static let ca = ProcessInfo.processInfo.environment["LLMTRACE_TEST_DATABASE_CA"] ?? ""
    /// A schema of this run's own, dropped at the end.
    static let schema = "llmtrace_tls_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)

    /// The test URL with its `sslmode` replaced by `options`.
    static func url(_ options: String) throws -> DatabaseURL {
        let base = try #require(conformancePostgresURL).replacingOccurrences(of: "sslmode=disable", with: "")
        let separator = base.hasSuffix("?") ? "" : base.contains("?") ? "&" : "?"
        return try DatabaseURL(base + separator + options + "&schema=\(schema)")
    }

    /// Whether the store's connections are encrypted, as the server sees one of them.
    static func encrypted(_ store: PostgresStore) async throws -> Bool {
        for try await ssl in try await store.client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").decode(Bool.self) {
            return ssl
        }
        return false
    }

    @Test func eachSSLModeDoesWhatItSays() async throws {
        let plain = try await PostgresStore.connect(try Self.url("sslmode=disable"))
        #expect(try await Self.encrypted(plain) == false)
        try await plain.close()

        // require: encrypted, the certificate not checked (the test CA is not a system one).
        let required = try await PostgresStore.connect(try Self.url("sslmode=require"))
        #expect(try await Self.encrypted(required))
        try await required.save(StoreConformanceTests.records(1))
        try await required.clear()
        try await required.close()

        // verify-full with the CA: checked, and the certificate names 127.0.0.1.
        let verified = try await PostgresStore.connect(try Self.url("sslmode=verify-full&sslrootcert=\(Self.ca)"))
        #expect(try await Self.encrypted(verified))
        try await verified.client.query("DROP SCHEMA \(unescaped: "\"\(Self.schema)\"") CASCADE")
        try await verified.close()

        // verify-full against the system's authorities: refused, and the message says why and what to do.
        let error = await #expect(throws: StoreError.self) { _ = try await PostgresStore.connect(try Self.url("sslmode=verify-full")) }
        #expect(error?.message.contains("cannot connect to postgres://llmtrace:***@127.0.0.1") == true, "\(error?.message ?? "")")
        #expect(error?.message.lowercased().contains("certificate") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("llmtrace-test") == false)

        let missing = await #expect(throws: StoreError.self) {
            _ = try await PostgresStore.connect(try Self.url("sslmode=verify-full&sslrootcert=/nonexistent/ca.pem"))
        }
        #expect(missing?.message.contains("sslrootcert=/nonexistent/ca.pem") == true, "\(missing?.message ?? "")")
    }
}
