/// Statements on one connection of an admin database, written with `?` placeholders (turned into the
/// engine's own) and values bound, never spliced.
protocol AdminSQLSession: Sendable {
    /// The rows of `sql`, each column read as the type at its position in `types`.
    func rows(_ sql: String, _ values: [ColumnValue], types: [ColumnType]) async throws -> [[ColumnValue]]
    /// Runs `sql`; returns the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ values: [ColumnValue]) async throws -> Int
}

/// A database engine under the admin store: PostgreSQL (``PostgresAdminDatabase``) or MySQL
/// (``MySQLAdminDatabase``). A unique-key violation is thrown as ``AdminStoreError`` of kind `conflict`.
protocol AdminSQLDatabase: Sendable {
    var dialect: SQLDialect { get }
    /// The database, password redacted, for messages.
    var description: String { get }
    /// `name` as a qualified, quoted table name.
    func table(_ name: String) -> String
    /// Runs `body` on one connection, outside a transaction.
    func session<T: Sendable>(_ body: @escaping @Sendable (any AdminSQLSession) async throws -> T) async throws -> T
    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any AdminSQLSession) async throws -> T) async throws -> T
    /// Applies the migrations newer than the database's version under the engine's database lock
    /// (`pg_advisory_lock`, `GET_LOCK`), recording each in `versionsTable`.
    func migrate(_ migrations: [AdminMigration], versionsTable: String) async throws
    func close() async throws
}

/// One admin schema change, applied once, in order.
struct AdminMigration: Sendable {
    var version: Int
    var name: String
    var sql: [String]
}
