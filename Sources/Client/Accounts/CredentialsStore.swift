import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One saved session: the refresh token of one server (access tokens are never written down).
public struct SavedSession: Codable, Sendable, Equatable {
    /// The server's key (``ServerKey/id``).
    public var server: String
    /// Who signed in, for messages (`signed in as …`).
    public var email: String
    /// The current refresh token; it changes on every refresh.
    public var refreshToken: String
    /// When the refresh token was written.
    public var savedAt: Date

    public init(server: String, email: String, refreshToken: String, savedAt: Date = Date()) {
        self.server = server
        self.email = email
        self.refreshToken = refreshToken
        self.savedAt = savedAt
    }
}

/// The credentials file, `~/.llmtrace/credentials.json` (or `$LLMTRACE_CREDENTIALS`): one saved session
/// per server, mode 0600 in a 0700 directory.
///
/// Every rewrite is atomic (a temporary file in the same directory, flushed, then renamed over the old
/// one), so a reader never sees half a file. Changes happen under an exclusive `flock` on
/// `credentials.json.lock` beside it, so two llmtrace processes refreshing at once take turns: the
/// second re-reads the file and uses the token the first wrote, never one that was spent.
public struct CredentialsStore: Sendable {
    /// The file's path.
    public let path: String
    /// How long ``withLock(_:)`` waits for another process before giving up.
    public var lockTimeout: Duration = .seconds(60)

    public init(path: String) {
        self.path = path
    }

    /// `$LLMTRACE_CREDENTIALS`, else `$HOME/.llmtrace/credentials.json`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["LLMTRACE_CREDENTIALS"], !path.isEmpty { return path }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".llmtrace/credentials.json")
    }

    /// The store at ``defaultPath(environment:)``.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> CredentialsStore {
        CredentialsStore(path: defaultPath(environment: environment))
    }

    private var directory: String { (path as NSString).deletingLastPathComponent }
    private var lockPath: String { path + ".lock" }

    // MARK: Reading

    /// The saved session for `server` (a ``ServerKey/id``), if any.
    public func session(for server: String) throws(ClientError) -> SavedSession? {
        try read()[server]
    }

    /// Every saved session, by server.
    public func read() throws(ClientError) -> [String: SavedSession] {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw .credentials("cannot read \(path): permission denied") }
            return [:]
        }
        if data.isEmpty { return [:] }
        do {
            return try Self.decoder.decode(FileContents.self, from: data).servers
        } catch {
            throw .credentials("\(path) is not a credentials file llmtrace can read (\(error)); remove it and sign in again")
        }
    }

    // MARK: Changing (each takes the lock)

    /// Saves `session`, replacing the server's previous one.
    public func save(_ session: SavedSession) async throws(ClientError) {
        try await withLock { () throws(ClientError) in try saveLocked(session) }
    }

    /// Removes the server's session; returns it if there was one.
    @discardableResult
    public func remove(_ server: String) async throws(ClientError) -> SavedSession? {
        try await withLock { () throws(ClientError) in try removeLocked(server) }
    }

    /// ``save(_:)`` for a caller that holds the lock (inside ``withLock(_:)``).
    public func saveLocked(_ session: SavedSession) throws(ClientError) {
        var all = try read()
        all[session.server] = session
        try write(all)
    }

    /// ``remove(_:)`` for a caller that holds the lock.
    @discardableResult
    public func removeLocked(_ server: String) throws(ClientError) -> SavedSession? {
        var all = try read()
        guard let old = all.removeValue(forKey: server) else { return nil }
        try write(all)
        return old
    }

    /// Runs `body` holding the exclusive lock shared by every llmtrace process using this file. The
    /// wait polls (it never blocks a thread) and gives up after ``lockTimeout``.
    public func withLock<T>(_ body: () async throws(ClientError) -> T) async throws(ClientError) -> T {
        try makeDirectory()
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .credentials("cannot open \(lockPath): \(Self.errnoText())") }
        defer { close(fd) }
        let deadline = ContinuousClock.now + lockTimeout
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else { throw .credentials("cannot lock \(lockPath): \(Self.errnoText())") }
            guard ContinuousClock.now < deadline else {
                throw .credentials("another llmtrace has held \(lockPath) for more than \(lockTimeout); try again")
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        defer { flock(fd, LOCK_UN) }
        return try await body()
    }

    // MARK: Writing

    private struct FileContents: Codable {
        var version = 1
        var servers: [String: SavedSession]
    }

    private static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }

    /// Creates the directory (0700) when missing. The default directory (`~/.llmtrace`, which also
    /// holds the socket and the TUI's log) is tightened to 0700 if it is open to others; a directory
    /// named by `LLMTRACE_CREDENTIALS` that exists is left as it is.
    private func makeDirectory() throws(ClientError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .credentials("\(directory) is not a directory") }
            if (directory as NSString).lastPathComponent == ".llmtrace",
                let attributes = try? FileManager.default.attributesOfItem(atPath: directory),
                let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0,
                (attributes[.ownerAccountID] as? Int).map({ $0 == Int(getuid()) }) == true
            {
                chmod(directory, 0o700)
            }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .credentials("cannot create \(directory): \(error.localizedDescription)")
        }
    }

    /// Replaces the file atomically: a 0600 temporary file beside it, written and flushed, renamed over it.
    private func write(_ servers: [String: SavedSession]) throws(ClientError) {
        try makeDirectory()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data: Data
        do { data = try encoder.encode(FileContents(servers: servers)) } catch {
            throw .credentials("cannot encode the credentials: \(error)")
        }
        var template = Array((directory as NSString).appendingPathComponent(".credentials.json.XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { $0.baseAddress.map { mkstemp($0) } ?? -1 }
        guard fd >= 0 else { throw .credentials("cannot write in \(directory): \(Self.errnoText())") }
        let temporary = String(cString: template)
        var ok = fchmod(fd, 0o600) == 0
        ok =
            ok
            && data.withUnsafeBytes { bytes in
                guard let base = bytes.baseAddress else { return bytes.isEmpty }
                var offset = 0
                while offset < bytes.count {
                    let n = Glibc.write(fd, base + offset, bytes.count - offset)
                    if n < 0, errno == EINTR { continue }
                    guard n > 0 else { return false }
                    offset += n
                }
                return true
            }
        ok = ok && fsync(fd) == 0
        let failure = Self.errnoText()
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            let reason = ok ? Self.errnoText() : failure
            unlink(temporary)
            throw .credentials("cannot write \(path): \(reason)")
        }
        // The rename itself reaches the disk with the directory.
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
