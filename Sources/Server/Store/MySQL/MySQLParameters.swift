import CMariaDB

/// The parameters of one prepared statement as `MYSQL_BIND`s, with the memory they point into (freed
/// with the object, after the statement ran).
///
/// Values of more than `longDataThreshold` bytes are not copied into the bind: they are sent with
/// `mysql_stmt_send_long_data` in chunks (``sendLongData(_:values:chunk:)``), so the statement's own packet
/// stays under the server's `max_allowed_packet` whatever the bodies weigh.
final class MySQLParameters {
    let count: Int
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    private let lengths: UnsafeMutablePointer<UInt>
    private var buffers: [UnsafeMutableRawPointer] = []
    /// The positions of the values sent as long data.
    private(set) var longData: [Int] = []

    init(_ values: [ColumnValue], longDataThreshold: Int) {
        count = values.count
        binds = .allocate(capacity: max(1, values.count))
        binds.initialize(repeating: MYSQL_BIND(), count: max(1, values.count))
        lengths = .allocate(capacity: max(1, values.count))
        lengths.initialize(repeating: 0, count: max(1, values.count))
        for (i, value) in values.enumerated() {
            var bind = MYSQL_BIND()
            switch value {
            case .null:
                bind.buffer_type = MYSQL_TYPE_NULL
            case .integer(let n):
                bind.buffer_type = MYSQL_TYPE_LONGLONG
                bind.buffer = store(Int64(n))
            case .real(let d):
                bind.buffer_type = MYSQL_TYPE_DOUBLE
                bind.buffer = store(d)
            case .bool(let b):
                bind.buffer_type = MYSQL_TYPE_TINY
                bind.buffer = store(Int8(b ? 1 : 0))
            case .text(let s):
                bind.buffer_type = MYSQL_TYPE_STRING
                setBytes(&bind, i, s.utf8, count: s.utf8.count, longDataThreshold: longDataThreshold)
            case .blob(let b):
                bind.buffer_type = MYSQL_TYPE_BLOB
                setBytes(&bind, i, b, count: b.count, longDataThreshold: longDataThreshold)
            }
            binds[i] = bind
        }
    }

    deinit {
        for buffer in buffers { buffer.deallocate() }
        binds.deallocate()
        lengths.deallocate()
    }

    private func store<T>(_ value: T) -> UnsafeMutableRawPointer {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<T>.size, alignment: MemoryLayout<T>.alignment)
        buffer.storeBytes(of: value, as: T.self)
        buffers.append(buffer)
        return buffer
    }

    private func setBytes(_ bind: inout MYSQL_BIND, _ i: Int, _ bytes: some Collection<UInt8>, count: Int, longDataThreshold: Int) {
        bind.length = lengths + i
        if count > longDataThreshold {
            longData.append(i)
            return
        }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(1, count), alignment: 1)
        buffers.append(buffer)
        UnsafeMutableRawBufferPointer(start: buffer, count: count).copyBytes(from: bytes)
        bind.buffer = buffer
        bind.buffer_length = UInt(count)
        lengths[i] = UInt(count)
    }

    /// Sends the long-data values of `values` (the array this object was made from) to `statement`,
    /// `chunk` bytes per packet. Call after `mysql_stmt_bind_param`, before `mysql_stmt_execute`.
    func sendLongData(_ statement: UnsafeMutablePointer<MYSQL_STMT>, values: [ColumnValue], chunk: Int) throws {
        func send(_ i: Int, _ bytes: UnsafeRawBufferPointer) throws {
            var offset = 0
            repeat {
                let n = min(chunk, bytes.count - offset)
                let start = bytes.baseAddress.map { $0.advanced(by: offset).assumingMemoryBound(to: CChar.self) }
                if mysql_stmt_send_long_data(statement, UInt32(i), start, UInt(n)) != 0 { throw MySQLError(statement: statement) }
                offset += n
            } while offset < bytes.count
        }
        for i in longData {
            switch values[i] {
            case .text(var s): try s.withUTF8 { try send(i, UnsafeRawBufferPointer($0)) }
            case .blob(let b): try b.withUnsafeBytes { try send(i, $0) }
            default: break
            }
        }
    }
}
