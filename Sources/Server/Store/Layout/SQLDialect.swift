/// How each SQL engine spells what the shared layout and conditions need.
enum SQLDialect: Sendable {
    case sqlite
    case postgres
    case mysql

    /// The placeholder of the `n`th bound value (1-based).
    func placeholder(_ n: Int) -> String {
        self == .postgres ? "$\(n)" : "?"
    }

    /// The column type for `type`.
    func typeName(_ type: ColumnType) -> String {
        switch (self, type) {
        case (.sqlite, .key), (.sqlite, .text), (.postgres, .key), (.postgres, .text): return "TEXT"
        case (.sqlite, .integer), (.sqlite, .bool): return "INTEGER"
        case (.sqlite, .real): return "REAL"
        case (.sqlite, .blob): return "BLOB"
        case (.postgres, .integer): return "BIGINT"
        case (.postgres, .real): return "DOUBLE PRECISION"
        case (.postgres, .bool): return "BOOLEAN"
        case (.postgres, .blob): return "BYTEA"
        // Indexed text must be bounded in MySQL; binary collation compares as the other engines do.
        case (.mysql, .key): return "VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
        case (.mysql, .text): return "LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
        case (.mysql, .integer): return "BIGINT"
        case (.mysql, .real): return "DOUBLE"
        case (.mysql, .bool): return "BOOLEAN"
        case (.mysql, .blob): return "LONGBLOB"
        }
    }

    /// The column definitions of `columns` for a `CREATE TABLE`.
    func columnDefinitions(_ columns: [Column]) -> String {
        columns.map { "\($0.name) \(typeName($0.type))\($0.nullable ? "" : " NOT NULL")" }.joined(separator: ",\n    ")
    }

    /// A condition true when the boolean `column` is true.
    func isTrue(_ column: String) -> String {
        self == .postgres ? column : "\(column) = 1"
    }

    /// A condition true when the boolean `column` is false.
    func isFalse(_ column: String) -> String {
        self == .postgres ? "NOT \(column)" : "\(column) = 0"
    }

    /// A condition true when `column` contains the text bound at `placeholder`.
    func contains(_ column: String, _ placeholder: String) -> String {
        switch self {
        case .sqlite: return "instr(\(column), \(placeholder)) > 0"
        case .postgres: return "strpos(\(column), \(placeholder)) > 0"
        case .mysql: return "LOCATE(\(placeholder), \(column)) > 0"
        }
    }

    /// `expression` as a 64-bit integer (PostgreSQL sums integers as `numeric`, MySQL as `DECIMAL`).
    func integerCast(_ expression: String) -> String {
        self == .mysql ? "CAST(\(expression) AS SIGNED)" : "CAST(\(expression) AS BIGINT)"
    }

    /// The distinct non-null values of `column` in a group, comma-separated.
    func distinctList(_ column: String) -> String {
        switch self {
        case .sqlite: return "GROUP_CONCAT(DISTINCT \(column))"
        case .postgres: return "string_agg(DISTINCT \(column), ',')"
        case .mysql: return "GROUP_CONCAT(DISTINCT \(column) SEPARATOR ',')"
        }
    }

    /// `name` quoted as an identifier.
    func quoted(_ name: String) -> String {
        self == .mysql ? "`\(name)`" : "\"\(name)\""
    }
}
