/// The kind of a column in ``RecordLayout``, which each engine spells in its own SQL (``SQLDialect``).
enum ColumnType: Sendable, Equatable {
    /// Text that is indexed or compared for equality (id, environment, model): bounded in MySQL.
    case key
    /// Any other text.
    case text
    case integer
    case real
    case bool
    case blob
}

/// One column of a table: its name, kind and whether it may be `NULL`.
struct Column: Sendable, Equatable {
    var name: String
    var type: ColumnType
    var nullable: Bool

    init(_ name: String, _ type: ColumnType, nullable: Bool = true) {
        self.name = name
        self.type = type
        self.nullable = nullable
    }
}
