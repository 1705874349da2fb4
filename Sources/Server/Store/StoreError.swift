import Foundation
import GRDB
import GRDBSQLite

/// A store problem, with a message a user can act on.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// What kind of problem, for scripts (`/api/health` reports it as `capture.lastStoreErrorKind`).
    public enum Kind: String, Codable, Sendable {
        /// No space left on the device.
        case diskFull = "disk_full"
        /// The file reached the largest size the process may write (`ulimit -f`, RLIMIT_FSIZE) or the file system allows.
        case fileTooLarge = "file_too_large"
        /// The database or its file system is read-only.
        case readOnly = "read_only"
        /// Another process holds the database locked.
        case busy
        /// The file is damaged or not a database.
        case corrupt
        /// Any other input/output failure.
        case io = "io_error"
        case other

        /// Whether the failure usually passes by itself (a server back up, a lock released, space freed),
        /// so records are kept to be saved again rather than dropped.
        public var passes: Bool {
            switch self {
            case .io, .busy, .diskFull: return true
            case .fileTooLarge, .readOnly, .corrupt, .other: return false
            }
        }
    }

    public var message: String
    public var kind: Kind
    public init(_ message: String, kind: Kind = .other) {
        self.message = message
        self.kind = kind
    }
    public var description: String { message }

    /// A SQLite failure explained: what went wrong and what to do about it. `systemErrno` is the OS error
    /// SQLite saw (`sqlite3_system_errno`), 0 when unknown; a failed write is also checked against the
    /// file-size limit and the file system (SQLite reports EFBIG and EROFS as a plain I/O error, and the
    /// errno is often gone by the time the transaction has rolled back).
    static func describe(_ error: any Error, systemErrno: Int32, path: String) -> StoreError {
        if let e = error as? StoreError { return e }
        guard let e = error as? DatabaseError else { return StoreError("\(error)") }
        var systemErrno = systemErrno
        if systemErrno == 0, [.SQLITE_IOERR, .SQLITE_FULL, .SQLITE_READONLY, .SQLITE_CANTOPEN].contains(e.resultCode) {
            systemErrno = diagnoseWriteFailure(path: path)
        }
        let sqlite = "SQLite: \(e.message ?? "error \(e.extendedResultCode.rawValue)")"
        switch (systemErrno, e.resultCode) {
        case (ENOSPC, _),
            (_, .SQLITE_FULL) where systemErrno != EFBIG:
            return StoreError(
                "disk full: cannot write \(path) (\(sqlite)); free space on that disk or move --db elsewhere. Records are not being saved; the proxy keeps forwarding",
                kind: .diskFull
            )
        case (EFBIG, _):
            return StoreError(
                "file too large: \(path) reached the largest file this process may write (ulimit -f / RLIMIT_FSIZE, or the file system's limit) (\(sqlite)); raise the limit or move --db elsewhere. Records are not being saved; the proxy keeps forwarding",
                kind: .fileTooLarge
            )
        case (EROFS, _), (_, .SQLITE_READONLY):
            return StoreError(
                "read-only: cannot write \(path) (\(sqlite)); the file or its file system is read-only (a disk error can remount it read-only): check `mount` and the file, or move --db elsewhere. Records are not being saved; the proxy keeps forwarding",
                kind: .readOnly
            )
        case (_, .SQLITE_BUSY), (_, .SQLITE_LOCKED):
            return StoreError(
                "database locked: another process holds \(path) (\(sqlite)); stop the other llmtrace or use another --db. Records are not being saved; the proxy keeps forwarding",
                kind: .busy
            )
        case (_, .SQLITE_CORRUPT), (_, .SQLITE_NOTADB):
            return StoreError(
                "damaged database: \(path) is corrupt or not a SQLite database (\(sqlite)); move it aside and restart to start a new one",
                kind: .corrupt
            )
        case (_, .SQLITE_IOERR), (_, .SQLITE_CANTOPEN):
            let os = systemErrno != 0 ? " (\(String(cString: strerror(systemErrno))))" : ""
            return StoreError(
                "I/O error writing \(path)\(os) (\(sqlite)); check the disk and the file. Records are not being saved; the proxy keeps forwarding",
                kind: .io
            )
        default:
            return StoreError("\(sqlite) on \(path)")
        }
    }

    /// The likely OS cause of a failed write to the database at `path`: `EFBIG` when it or its WAL or
    /// journal has reached this process's file-size limit, `EROFS` on a read-only file system, `ENOSPC`
    /// when the file system has (almost) no space left; 0 when none of these holds.
    static func diagnoseWriteFailure(path: String) -> Int32 {
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max {
            // A WAL frame is at most a 64 KiB page and its 24-byte header: a file closer to the limit than that is full.
            let slack = UInt64(65_536 + 24)
            for file in [path, path + "-wal", path + "-journal"] {
                var info = stat()
                if stat(file, &info) == 0, UInt64(info.st_size) + slack > UInt64(limit.rlim_cur) { return EFBIG }
            }
        }
        let directory = (path as NSString).deletingLastPathComponent
        var fs = statvfs()
        if statvfs(directory.isEmpty ? "." : directory, &fs) == 0 {
            if fs.f_flag & UInt(ST_RDONLY) != 0 { return EROFS }
            if UInt64(fs.f_bavail) * UInt64(fs.f_frsize) < 1 << 20 { return ENOSPC }
        }
        return 0
    }
}
