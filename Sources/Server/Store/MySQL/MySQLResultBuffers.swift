import CMariaDB

/// Where `mysql_stmt_fetch` puts each column of the current row, sized from the result's
/// `max_length`s (`STMT_ATTR_UPDATE_MAX_LENGTH`), and how to read it back as a ``ColumnValue``.
final class MySQLResultBuffers {
    private enum Kind {
        case integer, unsignedInteger, real, text, blob
    }

    let count: Int
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    private let lengths: UnsafeMutablePointer<UInt>
    private let nulls: UnsafeMutablePointer<my_bool>
    private let errors: UnsafeMutablePointer<my_bool>
    private var kinds: [Kind] = []
    private var buffers: [UnsafeMutableRawPointer] = []

    init(_ fields: UnsafeMutablePointer<MYSQL_FIELD>, count: Int) {
        self.count = count
        let n = max(1, count)
        binds = .allocate(capacity: n)
        binds.initialize(repeating: MYSQL_BIND(), count: n)
        lengths = .allocate(capacity: n)
        lengths.initialize(repeating: 0, count: n)
        nulls = .allocate(capacity: n)
        nulls.initialize(repeating: 0, count: n)
        errors = .allocate(capacity: n)
        errors.initialize(repeating: 0, count: n)
        for i in 0..<count {
            let field = fields[i]
            var bind = MYSQL_BIND()
            let kind: Kind
            let size: Int
            switch field.type {
            case MYSQL_TYPE_TINY, MYSQL_TYPE_SHORT, MYSQL_TYPE_INT24, MYSQL_TYPE_LONG, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_YEAR:
                kind = field.flags & UInt32(UNSIGNED_FLAG) != 0 ? .unsignedInteger : .integer
                bind.buffer_type = MYSQL_TYPE_LONGLONG
                bind.is_unsigned = kind == .unsignedInteger ? 1 : 0
                size = 8
            case MYSQL_TYPE_FLOAT, MYSQL_TYPE_DOUBLE:
                kind = .real
                bind.buffer_type = MYSQL_TYPE_DOUBLE
                size = 8
            default:
                // Charset 63 is `binary`: BLOB columns and binary strings. Everything else reads as text.
                kind = field.charsetnr == 63 ? .blob : .text
                bind.buffer_type = kind == .blob ? MYSQL_TYPE_BLOB : MYSQL_TYPE_STRING
                size = max(1, Int(field.max_length))
            }
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
            buffers.append(buffer)
            bind.buffer = buffer
            bind.buffer_length = UInt(size)
            bind.length = lengths + i
            bind.is_null = nulls + i
            bind.error = errors + i
            binds[i] = bind
            kinds.append(kind)
        }
    }

    deinit {
        for buffer in buffers { buffer.deallocate() }
        binds.deallocate()
        lengths.deallocate()
        nulls.deallocate()
        errors.deallocate()
    }

    /// The current row's values (after a successful `mysql_stmt_fetch`). A column longer than its
    /// buffer is fetched again whole with `mysql_stmt_fetch_column`.
    func row(_ statement: UnsafeMutablePointer<MYSQL_STMT>) throws -> [ColumnValue] {
        var values: [ColumnValue] = []
        values.reserveCapacity(count)
        for i in 0..<count {
            if nulls[i] != 0 {
                values.append(.null)
                continue
            }
            let bind = binds[i]
            guard let buffer = bind.buffer else {
                values.append(.null)
                continue
            }
            switch kinds[i] {
            case .integer: values.append(.integer(Int(buffer.load(as: Int64.self))))
            case .unsignedInteger: values.append(.integer(Int(clamping: buffer.load(as: UInt64.self))))
            case .real: values.append(.real(buffer.load(as: Double.self)))
            case .text, .blob:
                let length = Int(lengths[i])
                var bytes: [UInt8]
                if length <= Int(bind.buffer_length) {
                    bytes = Array(UnsafeRawBufferPointer(start: buffer, count: length))
                } else {
                    bytes = [UInt8](repeating: 0, count: length)
                    try bytes.withUnsafeMutableBytes { whole in
                        var single = MYSQL_BIND()
                        var got: UInt = 0
                        single.buffer_type = bind.buffer_type
                        single.buffer = whole.baseAddress
                        single.buffer_length = UInt(length)
                        try withUnsafeMutablePointer(to: &got) { gotPointer in
                            single.length = gotPointer
                            if mysql_stmt_fetch_column(statement, &single, UInt32(i), 0) != 0 { throw MySQLError(statement: statement) }
                        }
                    }
                }
                values.append(kinds[i] == .blob ? .blob(bytes) : .text(String(decoding: bytes, as: UTF8.self)))
            }
        }
        return values
    }
}
