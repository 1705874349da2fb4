import Foundation
import Testing

@testable import Server

@Suite struct DatabaseURLTests {
    @Test func readsAPostgresURL() throws {
        let url = try DatabaseURL("postgres://llmtrace:s3cr%40t@db.internal:6432/traces?sslmode=disable&connect_timeout=3&pool=4")
        #expect(url.engine == .postgres)
        #expect(url.user == "llmtrace")
        #expect(url.password == "s3cr@t")
        #expect(url.host == "db.internal")
        #expect(url.port == 6432)
        #expect(url.database == "traces")
        #expect(url.tls == .disable)
        #expect(url.connectTimeoutSeconds == 3)
        #expect(url.poolSize == 4)
    }

    @Test func knowsBothPostgresSchemesAndDefaults() throws {
        let url = try DatabaseURL("postgresql://u:p@localhost/llmtrace")
        #expect(url.engine == .postgres)
        #expect(url.port == 5432)
        #expect(try DatabaseURL("mysql://u:p@localhost/llmtrace").port == 3306)
        #expect(DatabaseURL.isURL("postgres://x@h/d") && DatabaseURL.isURL("POSTGRESQL://x@h/d") && DatabaseURL.isURL("mysql://x@h/d"))
        #expect(!DatabaseURL.isURL("./trace.db") && !DatabaseURL.isURL(":memory:"))
    }

    @Test func neverShowsThePassword() throws {
        let text = "postgres://llmtrace:pw-Secret-123@db.internal:5432/llmtrace?sslmode=disable"
        let url = try DatabaseURL(text)
        #expect(url.description == "postgres://llmtrace:***@db.internal:5432/llmtrace")
        #expect(!"\(url)".contains("pw-Secret-123"))
        #expect(DatabaseURL.redacted(text) == "postgres://llmtrace:***@db.internal:5432/llmtrace?sslmode=disable")
        #expect(try DatabaseURL("postgres://nopass@h/d").description == "postgres://nopass@h:5432/d")
    }

    @Test func explainsBadURLsWithoutThePassword() {
        let cases = [
            "postgres://llmtrace:pw-Secret-123@db.internal:5432/",
            "postgres://llmtrace:pw-Secret-123@db.internal/d?sslmode=maybe",
            "postgres://llmtrace:pw-Secret-123@db.internal/d?pool=0",
            "postgres://llmtrace:pw-Secret-123@db.internal/d?colour=blue",
            "postgres://:pw-Secret-123@db.internal/d",
        ]
        for text in cases {
            do {
                _ = try DatabaseURL(text)
                Issue.record("\(DatabaseURL.redacted(text)) was accepted")
            } catch {
                let message = "\(error)"
                #expect(!message.contains("pw-Secret-123"), "\(message)")
                #expect(!message.isEmpty)
            }
        }
    }

    @Test func postgresStoreRefusesAnUnreachableServerWithARedactedMessage() async throws {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        let url = try DatabaseURL("postgres://llmtrace:pw-Secret-123@127.0.0.1:1/llmtrace?connect_timeout=2")
        do {
            let store = try await PostgresStore.connect(url)
            try await store.close()
            Issue.record("connected to 127.0.0.1:1")
        } catch let error as StoreError {
            #expect(error.message.contains("127.0.0.1:1"))
            #expect(!error.message.contains("pw-Secret-123"), "\(error.message)")
        }
    }

    @Test func postgresURLVariablesAreTheDBSetting() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("llmtrace-dburl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = "postgres://u:p@127.0.0.1/llmtrace"
        let (fromEnv, _) = try ConfigResolver(flags: [:], environment: ["LLMTRACE_POSTGRES_URL": url], workingDirectory: dir, configPath: nil)
            .resolve()
        #expect(fromEnv.database == url)
        let (preferred, _) = try ConfigResolver(
            flags: [:],
            environment: ["LLMTRACE_DB": "x.db", "LLMTRACE_POSTGRES_URL": url],
            workingDirectory: dir,
            configPath: nil
        ).resolve()
        #expect(preferred.database == "x.db")
        try #"{"postgresUrl": "\#(url)"}"#.write(to: dir.appendingPathComponent(".llmtracerc"), atomically: true, encoding: .utf8)
        let (fromFile, _) = try ConfigResolver(flags: [:], environment: [:], workingDirectory: dir, configPath: nil).resolve()
        #expect(fromFile.database == url)
    }

    @Test func mysqlURLVariablesAreTheDBSetting() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("llmtrace-dburl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = "mysql://u:p@127.0.0.1:3306/llmtrace?ssl-mode=require"
        let (fromEnv, _) = try ConfigResolver(flags: [:], environment: ["LLMTRACE_MYSQL_URL": url], workingDirectory: dir, configPath: nil)
            .resolve()
        #expect(fromEnv.database == url)
        try #"{"mysqlUrl": "\#(url)"}"#.write(to: dir.appendingPathComponent(".llmtracerc"), atomically: true, encoding: .utf8)
        let (fromFile, _) = try ConfigResolver(flags: [:], environment: [:], workingDirectory: dir, configPath: nil).resolve()
        #expect(fromFile.database == url)
    }

    @Test func readsAMySQLURL() throws {
        let url = try DatabaseURL("mariadb://llmtrace:s3cr%40t@db.internal/traces?ssl-mode=verify-full&connect_timeout=4&pool=3")
        #expect(url.engine == .mysql)
        #expect(url.port == 3306)
        #expect(url.password == "s3cr@t")
        #expect(url.tls == .verifyFull)
        #expect(url.connectTimeoutSeconds == 4)
        #expect(url.poolSize == 3)
        #expect(url.description == "mysql://llmtrace:***@db.internal:3306/traces")
    }

    @Test func dbPoolIsASetting() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("llmtrace-dbpool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (fromFlag, _) = try ConfigResolver(flags: [.dbPool: "4"], environment: ["LLMTRACE_DB_POOL": "7"], workingDirectory: dir, configPath: nil)
            .resolve()
        #expect(fromFlag.databasePoolSize == 4)
        let (fromEnv, _) = try ConfigResolver(flags: [:], environment: ["LLMTRACE_DB_POOL": "7"], workingDirectory: dir, configPath: nil).resolve()
        #expect(fromEnv.databasePoolSize == 7)
        #expect(throws: ConfigurationError.self) {
            _ = try ConfigResolver(flags: [.dbPool: "0"], environment: [:], workingDirectory: dir, configPath: nil).resolve()
        }
    }
}
