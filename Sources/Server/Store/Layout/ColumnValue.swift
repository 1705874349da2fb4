/// One column's value as every database engine stores it. Each store maps these to its client's types
/// (GRDB's `DatabaseValue`, postgres-nio's bindings, MariaDB's `MYSQL_BIND`).
enum ColumnValue: Sendable, Equatable {
    case null
    case integer(Int)
    case real(Double)
    case bool(Bool)
    /// Short text: names, paths, model ids.
    case text(String)
    /// Bytes: bodies, the answer's text (which may hold NUL, which PostgreSQL's `text` cannot), encoded lists.
    case blob([UInt8])

    init(_ value: String?) { self = value.map { .text($0) } ?? .null }
    init(_ value: Int?) { self = value.map { .integer($0) } ?? .null }
    init(_ value: Double?) { self = value.map { .real($0) } ?? .null }
    init(_ value: Bool?) { self = value.map { .bool($0) } ?? .null }
    init(blob value: [UInt8]?) { self = value.map { .blob($0) } ?? .null }
    init(utf8 value: String?) { self = value.map { .blob(Array($0.utf8)) } ?? .null }

    var string: String? {
        switch self {
        case .text(let s): return s
        case .blob(let b): return String(decoding: b, as: UTF8.self)
        case .integer(let i): return String(i)
        case .real(let d): return String(d)
        case .bool(let b): return b ? "1" : "0"
        case .null: return nil
        }
    }

    var int: Int? {
        switch self {
        case .integer(let i): return i
        case .real(let d): return d.isFinite ? Int(d) : nil
        case .bool(let b): return b ? 1 : 0
        case .text(let s): return Int(s)
        case .blob, .null: return nil
        }
    }

    var double: Double? {
        switch self {
        case .real(let d): return d
        case .integer(let i): return Double(i)
        case .text(let s): return Double(s)
        case .bool, .blob, .null: return nil
        }
    }

    var bool: Bool? {
        switch self {
        case .bool(let b): return b
        case .integer(let i): return i != 0
        case .real(let d): return d != 0
        case .text(let s): return s == "1" || s == "t" || s == "true"
        case .blob, .null: return nil
        }
    }

    var bytes: [UInt8]? {
        switch self {
        case .blob(let b): return b
        case .text(let s): return Array(s.utf8)
        default: return nil
        }
    }
}

/// Reads one row's columns as ``ColumnValue``s, by position. Each engine's row type conforms.
protocol ColumnReader {
    /// The value at `index`, read as `type` (engines whose rows are typed by the column ignore it).
    func value(at index: Int, as type: ColumnType) throws -> ColumnValue
}
