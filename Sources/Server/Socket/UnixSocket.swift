import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Preparing the unix socket the API is also served on.
enum UnixSocket {
    /// Makes `path` ready to bind: creates its directory (mode 0700 when llmtrace creates it), replaces a
    /// stale socket left by a crashed run, and refuses when another server answers on it.
    static func prepare(_ path: String) throws(ConfigurationError) {
        guard path.utf8.count < 104 else {
            throw ConfigurationError("socket path \(path) is too long for a unix socket (at most 103 bytes): choose a shorter --socket")
        }
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw ConfigurationError(
                    "cannot create \(dir) for the socket: \(error.localizedDescription); choose another --socket or pass --no-socket"
                )
            }
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }  // nothing there
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw ConfigurationError("\(path) exists and is not a socket: remove it or choose another --socket")
        }
        if answers(path) {
            throw ConfigurationError(
                "another llmtrace server is already serving on \(path): stop it, or give this one its own --socket (or --no-socket)"
            )
        }
        unlink(path)
    }

    /// Restricts the socket to its owner.
    static func restrict(_ path: String) {
        chmod(path, 0o600)
    }

    /// Whether something accepts connections on the socket at `path`.
    static func answers(_ path: String) -> Bool {
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.prefix(raw.count - 1).enumerated() { raw[i] = b }
        }
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return result == 0
    }
}
