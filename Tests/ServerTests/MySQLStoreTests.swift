import Foundation
import Logging
import Testing

@testable import LLMTraceModel
@testable import Server

/// What the MySQL / MariaDB store does beyond the conformance suite: redacted errors, lost
/// connections, TLS off when asked, the server's packet limit, batches split by size. Tests that need
/// a server run when `LLMTRACE_TEST_MYSQL_URL` is set, and are reported as skipped otherwise.
@Suite struct MySQLStoreTests {
    static let skipped = "LLMTRACE_TEST_MYSQL_URL is not set: MySQL store tests skipped (start a server with scripts/dev-databases start)"

    @Test func refusesAnUnreachableServerWithARedactedIOError() async throws {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        let url = try DatabaseURL("mysql://llmtrace:pw-Secret-123@127.0.0.1:1/llmtrace?connect_timeout=2")
        do {
            let store = try await MySQLStore.connect(url)
            try await store.close()
            Issue.record("connected to 127.0.0.1:1")
        } catch let error as StoreError {
            #expect(error.message.contains("mysql://llmtrace:***@127.0.0.1:1/llmtrace"), "\(error.message)")
            #expect(!error.message.contains("pw-Secret-123"), "\(error.message)")
            #expect(error.kind == .io)
        }
    }

    @Test(.enabled(if: conformanceMySQLURL != nil, Comment(rawValue: skipped)))
    func aWrongPasswordIsReportedWithoutIt() async throws {
        var url = try MySQLTestDatabase.serverURL()
        url.password = "wrong-Secret-123"
        do {
            let store = try await MySQLStore.connect(url)
            try await store.close()
            Issue.record("connected with a wrong password")
        } catch let error as StoreError {
            #expect(error.message.contains("mysql://\(url.user):***@\(url.host):\(url.port)/\(url.database)"), "\(error.message)")
            #expect(error.message.contains("Access denied"), "\(error.message)")
            #expect(!error.message.contains("wrong-Secret-123"), "\(error.message)")
        }
    }

    @Test(.enabled(if: conformanceMySQLURL != nil, Comment(rawValue: skipped)))
    func aMissingDatabaseSaysHowToCreateIt() async throws {
        var url = try MySQLTestDatabase.serverURL()
        url.database = "llmtrace_t_missing_" + UUID().uuidString.prefix(8).lowercased()
        let error = await #expect(throws: StoreError.self) { _ = try await MySQLStore.connect(url) }
        #expect(error?.message.contains("CREATE DATABASE `\(url.database)`") == true, "\(String(describing: error))")
    }

    @Test(.enabled(if: conformanceMySQLURL != nil, Comment(rawValue: skipped)))
    func aKilledConnectionIsReplaced() async throws {
        let url = try await MySQLTestDatabase.create()
        let store = try await MySQLStore.connect(url)
        let records = StoreConformanceTests.records(20)
        try await store.save(Array(records[0..<10]))
        // Kill every connection of the store from another one, as an operator or a failover would.
        func killStoreConnections() async throws -> Int {
            let database = url.database
            return try await MySQLTestDatabase.withAdminConnection { c in
                let ids = try c.query("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ?", [.text(database)])
                    .compactMap { $0.values.first?.int }
                for id in ids { try c.execute("KILL CONNECTION \(id)") }
                return ids.count
            }
        }
        #expect(try await killStoreConnections() >= 1)
        // Reads and saves run again on a new connection when the idle one had died.
        try await store.save(Array(records[10..<15]))
        #expect(try await store.count() == 15)
        #expect(try await store.list(filter: RequestFilter(), page: PageRequest(limit: 100)).items.count == 15)

        // Prune is not run twice (a lost commit answer would delete twice): the lost connection is an
        // I/O error, and the next call works on a new connection.
        #expect(try await killStoreConnections() >= 1)
        do {
            _ = try await store.prune(olderThan: nil, keepNewest: 10, limit: 100)
            Issue.record("prune on a killed connection succeeded")
        } catch let error as StoreError {
            #expect(error.kind == .io, "\(error.message)")
            #expect(error.message.contains("mysql://"), "\(error.message)")
        }
        #expect(try await store.prune(olderThan: nil, keepNewest: 10, limit: 100) == 5)
        try await store.save(Array(records[15..<20]))
        #expect(try await store.count() == 15)
        try await store.close()
        try await MySQLTestDatabase.drop(url)
    }

    @Test(.enabled(if: conformanceMySQLURL != nil, Comment(rawValue: skipped)))
    func sslModeDisableConnectsWithoutTLSAndRequireInsistsOnIt() async throws {
        let url = try await MySQLTestDatabase.create()
        let store = try await MySQLStore.connect(url)
        let (cipher, sessionCipher, serverHasTLS) = try await store.pool.withConnection { c in
            let status = try c.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'").first?.values.dropFirst().first?.string ?? ""
            let have = try c.query("SELECT @@have_ssl").first?.values.first?.string ?? ""
            return (c.tlsCipher, status, have == "YES")
        }
        #expect(url.tls == .disable)
        #expect(cipher == nil)
        #expect(sessionCipher.isEmpty)
        try await store.close()
        if !serverHasTLS {
            // A server without TLS: require refuses to talk to it in clear.
            var required = url
            required.tls = .require
            await #expect(throws: StoreError.self) { _ = try await MySQLStore.connect(required) }
        } else {
            // A server with TLS (scripts/dev-databases gives it a certificate for 127.0.0.1 from a
            // throwaway CA): require encrypts; verify-full checks the certificate against ssl-ca and
            // refuses it against the system's authorities.
            var required = url
            required.tls = .require
            let encrypted = try await MySQLStore.connect(required)
            #expect(try await encrypted.pool.withConnection { $0.tlsCipher } != nil)
            try await encrypted.close()
            if let ca = ProcessInfo.processInfo.environment["LLMTRACE_TEST_DATABASE_CA"] {
                var verified = url
                verified.tls = .verifyFull
                verified.rootCertificatePath = ca
                let checked = try await MySQLStore.connect(verified)
                #expect(try await checked.pool.withConnection { $0.tlsCipher } != nil)
                try await checked.close()
                verified.rootCertificatePath = nil
                let error = await #expect(throws: StoreError.self) { _ = try await MySQLStore.connect(verified) }
                #expect(error?.message.contains("mysql://llmtrace:***@127.0.0.1") == true, "\(error?.message ?? "")")
            }
        }
        try await MySQLTestDatabase.drop(url)
    }

    @Test(.enabled(if: conformanceMySQLURL != nil, Comment(rawValue: skipped)))
    func aRecordOverThePacketLimitSaysWhatToRaiseAndTheOthersAreSaved() async throws {
        let url = try await MySQLTestDatabase.create()
        let store = try await MySQLStore.connect(url)
        let limit = try await store.pool.withConnection { $0.maxAllowedPacket }
        var records = StoreConformanceTests.records(3)
        records[1].responseBody = CapturedBody(bytes: [UInt8](repeating: 0x61, count: limit + 1), size: limit + 1, truncated: false)
        do {
            try await store.save(records)
            Issue.record("a body of \(limit + 1) bytes was saved past max_allowed_packet \(limit)")
        } catch let error as StoreError {
            #expect(error.message.contains("max_allowed_packet"), "\(error.message)")
            #expect(error.message.contains(records[1].id), "\(error.message)")
            #expect(error.message.contains("response_body"), "\(error.message)")
        }
        #expect(try await store.count() == 2)
        #expect(try await store.record(id: records[0].id) == records[0])
        try await store.close()
        try await MySQLTestDatabase.drop(url)
    }

    @Test(.enabled(if: conformanceMySQLURL != nil, Comment(rawValue: skipped)))
    func aBatchLargerThanThePacketLimitIsSplit() async throws {
        let url = try await MySQLTestDatabase.create()
        let store = try await MySQLStore.connect(url)
        let limit = try await store.pool.withConnection { $0.maxAllowedPacket }
        // Bodies just under the long-data threshold travel inside the statement: more of them than
        // one packet holds, in one save.
        let threshold = try await store.pool.withConnection { $0.longDataThreshold }
        let count = limit / threshold + 20
        var records = StoreConformanceTests.records(count)
        for i in records.indices {
            records[i].requestBody = CapturedBody(bytes: [UInt8](repeating: UInt8(i % 200), count: threshold), size: threshold, truncated: false)
        }
        try await store.save(records)
        #expect(try await store.count() == count)
        #expect(try await store.record(id: records[count - 1].id) == records[count - 1])
        try await store.close()
        try await MySQLTestDatabase.drop(url)
    }

    @Test func insertsAreSplitByRowsAndBytes() {
        let row: [ColumnValue] = RecordLayout.insertColumns.map { _ in .blob([UInt8](repeating: 1, count: 100)) }
        let many = MySQLStore.inserts(Array(repeating: row, count: 450), inlineBudget: 1 << 30, longDataThreshold: 1 << 20)
        #expect(many.map { $0.values.count / row.count } == [200, 200, 50])
        let heavy = MySQLStore.inserts(Array(repeating: row, count: 10), inlineBudget: row.count * 110 * 3, longDataThreshold: 1 << 20)
        #expect(heavy.map { $0.values.count / row.count } == [3, 3, 3, 1])
        // Values sent as long data do not count against the budget.
        let long = MySQLStore.inserts(Array(repeating: row, count: 10), inlineBudget: row.count * 110 * 3, longDataThreshold: 50)
        #expect(long.map { $0.values.count / row.count } == [10])
        #expect(many[0].sql.hasPrefix("INSERT INTO `llmtrace_requests` (id, started_at"))
        #expect(many[0].sql.contains("ON DUPLICATE KEY UPDATE started_at = VALUES(started_at)"))
        #expect(!many[0].sql.contains("id = VALUES(id)"))
    }

    @Test func migrationLockNamesFitMySQL() {
        #expect(MySQLStore.migrationLockName("llmtrace") == "llmtrace.migrations.llmtrace")
        let long = MySQLStore.migrationLockName(String(repeating: "x", count: 64))
        #expect(long.count <= 64)
        #expect(long == MySQLStore.migrationLockName(String(repeating: "x", count: 64)))
    }

    @Test(.enabled(if: conformanceMySQLURL != nil, Comment(rawValue: skipped)))
    func serveOpensAMySQLURL() async throws {
        let url = try await MySQLTestDatabase.create()
        var text = try #require(conformanceMySQLURL)
        text = text.replacingOccurrences(of: "/\(try MySQLTestDatabase.serverURL().database)", with: "/\(url.database)")
        text = text.replacingOccurrences(of: "mysql://", with: "mariadb://")
        var configuration = ServerConfiguration()
        configuration.database = text
        configuration.databasePoolSize = 2
        let store = try await LLMTraceServer.openStore(configuration)
        let mysql = try #require(store as? MySQLStore)
        #expect(mysql.url.poolSize == 2)
        #expect(store.description.hasPrefix("mysql mysql://"))
        #expect(!store.description.contains(url.password ?? "\u{0}"))
        try await store.close()
        try await MySQLTestDatabase.drop(url)
    }
}
