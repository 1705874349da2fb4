import Foundation
import Logging
import Testing

@testable import Server

/// Throwaway databases on the MySQL / MariaDB server of `LLMTRACE_TEST_MYSQL_URL`, one per test (the
/// tests run in parallel): `llmtrace_t_<random>`, which `scripts/dev-databases` lets the test user create.
enum MySQLTestDatabase {
    /// The server's URL, pointing at its test database.
    static func serverURL() throws -> DatabaseURL {
        var url = try DatabaseURL(try #require(conformanceMySQLURL))
        url.poolSize = 4
        return url
    }

    /// Runs `body` on a connection to the server's test database (on a thread of its own).
    static func withAdminConnection<T: Sendable>(_ body: @escaping @Sendable (MySQLConnection) throws -> T) async throws -> T {
        var url = try serverURL()
        url.poolSize = 1
        let pool = MySQLConnectionPool(url: url, logger: Logger(label: "mysql-test"))
        do {
            let result = try await pool.withConnection(retryingLostConnection: false, body)
            await pool.shutdown()
            return result
        } catch {
            await pool.shutdown()
            throw error
        }
    }

    /// Creates a new empty database and returns the server's URL pointing at it.
    static func create() async throws -> DatabaseURL {
        let name = "llmtrace_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try await withAdminConnection { c in
            try c.execute("CREATE DATABASE `\(name)` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        }
        var url = try serverURL()
        url.database = String(name)
        return url
    }

    /// Drops the database `url` names (only a test's own).
    static func drop(_ url: DatabaseURL) async throws {
        guard url.database.hasPrefix("llmtrace_t_") else { return }
        let name = url.database
        try await withAdminConnection { c in try c.execute("DROP DATABASE IF EXISTS `\(name)`") }
    }
}
