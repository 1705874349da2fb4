import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A helper program (ssh) run by a client command, started so that it can always be ended.
///
/// - It is started with `posix_spawnp` with an empty signal mask and default signal actions, whichever
///   thread starts it: a child started by `Foundation.Process` from a worker thread inherits that thread's
///   mask, which blocks SIGTERM, so only SIGKILL would end it.
/// - It stays in the caller's process group, so the terminal's ctrl-c reaches it too.
/// - While it runs its pid is in ``ChildProcesses``, which a signal handler can end without locks or
///   allocation (``ChildProcesses/signalAll(_:)``).
/// - Its standard input is `/dev/null`; standard output and error are collected separately.
public final class ChildProcess: Sendable {
    /// Why a program could not be started.
    public struct SpawnError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The child's process id.
    public let pid: pid_t
    /// What it printed on standard output (empty unless `captureOutput`).
    public let standardOutput: Collected
    /// What it printed on standard error.
    public let standardError: Collected
    private let reapedStatus = Mutex<Int32?>(nil)

    /// Starts `arguments[0]` (found on `PATH`) with `arguments`.
    /// - Parameter captureOutput: collect standard output; otherwise it goes to `/dev/null`.
    public init(_ arguments: [String], captureOutput: Bool) throws(SpawnError) {
        guard let program = arguments.first else { throw SpawnError(description: "no program to run") }
        // One spawn at a time: another child started between a pipe's creation and its close-on-exec flag
        // would inherit it and hold it open.
        Self.spawnLock.lock()
        defer { Self.spawnLock.unlock() }
        var out: (read: Int32, write: Int32)?
        if captureOutput { out = try Self.makePipe() }
        let err: (read: Int32, write: Int32)
        do {
            err = try Self.makePipe()
        } catch {
            if let out {
                _ = close(out.read)
                _ = close(out.write)
            }
            throw error
        }

        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        var attributes: posix_spawnattr_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let out {
            posix_spawn_file_actions_adddup2(&actions, out.write, 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, err.write, 2)

        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM, SIGTSTP, SIGTTIN, SIGTTOU] {
            sigaddset(&defaults, sig)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }

        // No signal may end this process between the child's start and its registration, or the child
        // would be left behind: block them on this thread for that moment (the child's mask is set above).
        var all = sigset_t()
        var previous = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_BLOCK, &all, &previous)
        var child: pid_t = 0
        let result = posix_spawnp(&child, program, &actions, &attributes, argv, environ)
        if result == 0 { ChildProcesses.add(child) }
        pthread_sigmask(SIG_SETMASK, &previous, nil)

        if let out { _ = close(out.write) }
        _ = close(err.write)
        guard result == 0 else {
            if let out { _ = close(out.read) }
            _ = close(err.read)
            throw SpawnError(description: "cannot run \(program): \(String(cString: strerror(result)))")
        }
        pid = child
        standardOutput = Collected(fd: out?.read)
        standardError = Collected(fd: err.read)
    }

    private static let spawnLock = NSLock()

    /// The exit status (128 + signal when a signal ended it) once it has exited, else `nil`.
    public var exitStatus: Int32? {
        reapedStatus.withLock { reaped in
            if let reaped { return reaped }
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == 0 { return nil }
            let code: Int32
            if result == pid {
                let signal = status & 0x7f
                code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
            } else {
                code = -1  // reaped by someone else: gone, status unknown
            }
            reaped = code
            ChildProcesses.remove(pid)
            return code
        }
    }

    /// Waits (without blocking a thread) until it exits or `timeout` passes; returns its status.
    public func wait(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = exitStatus { return status }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return exitStatus
    }

    /// Ends it: SIGTERM, then SIGKILL if it is still there after `grace`. Blocks until it is gone.
    public func terminate(grace: Duration = .seconds(2)) {
        guard exitStatus == nil else { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while exitStatus == nil, ContinuousClock.now < deadline { usleep(5_000) }
        guard exitStatus == nil else { return }
        kill(pid, SIGKILL)
        for _ in 0..<200 where exitStatus == nil { usleep(5_000) }
    }

    deinit { terminate() }

    private static func makePipe() throws(SpawnError) -> (read: Int32, write: Int32) {
        // Neither end may leak into other children: close-on-exec (``spawnLock`` keeps other ChildProcesses
        // from starting between these two calls). dup2 onto 1 and 2 clears the flag in this child.
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw SpawnError(description: "cannot create a pipe: \(String(cString: strerror(errno)))") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    /// Output collected from one of the child's pipes as it arrives.
    public final class Collected: Sendable {
        /// The bytes so far, and whether the pipe reached its end; shared with the reader thread.
        private final class Storage: Sendable {
            let data = Mutex((Data(), false))
        }
        private let storage = Storage()

        /// Reads `fd` to its end on a thread of its own (plain blocking reads: the end of the output is
        /// seen as soon as the child and everything it started have closed the pipe), then closes it.
        init(fd: Int32?) {
            guard let fd else {
                storage.data.withLock { $0.1 = true }
                return
            }
            let storage = self.storage
            let reader = Thread {
                var buffer = [UInt8](repeating: 0, count: 16 << 10)
                while true {
                    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n > 0 {
                        storage.data.withLock { $0.0.append(contentsOf: buffer[0..<n]) }
                    } else if n < 0 && errno == EINTR {
                        continue
                    } else {
                        break
                    }
                }
                _ = close(fd)
                storage.data.withLock { $0.1 = true }
            }
            reader.name = "llmtrace-child-output"
            reader.start()
        }

        /// Everything read so far, as UTF-8.
        public var text: String { storage.data.withLock { String(decoding: $0.0, as: UTF8.self) } }

        /// Waits until the pipe's end (everything the child wrote has arrived), at most `timeout`.
        /// Something the child started may keep the pipe open, hence the bound.
        public func waitForEnd(timeout: Duration = .seconds(1)) async {
            let deadline = ContinuousClock.now + timeout
            while !storage.data.withLock({ $0.1 }), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
        }
    }
}
