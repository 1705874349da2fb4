import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pids of running ``ChildProcess``es, kept where a signal handler can read them.
public enum ChildProcesses {
    private static let capacity = 32
    /// Written under `lock`; read without it by ``signalAll(_:)`` (an aligned `pid_t` store is atomic).
    nonisolated(unsafe) private static let slots: UnsafeMutablePointer<pid_t> = {
        let p = UnsafeMutablePointer<pid_t>.allocate(capacity: capacity)
        p.initialize(repeating: 0, count: capacity)
        return p
    }()
    private static let lock = Mutex(())

    /// Makes the table ready before any signal handler may read it (its first use allocates).
    public static func prepare() { _ = slots }

    static func add(_ pid: pid_t) {
        lock.withLock { _ in
            for i in 0..<capacity where slots[i] == 0 {
                slots[i] = pid
                return
            }
        }
    }

    static func remove(_ pid: pid_t) {
        lock.withLock { _ in
            for i in 0..<capacity where slots[i] == pid { slots[i] = 0 }
        }
    }

    /// Whether `pid` is a running child.
    static func contains(_ pid: pid_t) -> Bool {
        lock.withLock { _ in (0..<capacity).contains { slots[$0] == pid } }
    }

    /// Sends `sig` to every running child. Async-signal-safe: call it from a signal handler.
    public static func signalAll(_ sig: Int32) {
        for i in 0..<capacity {
            let pid = slots[i]
            if pid > 0 { kill(pid, sig) }
        }
    }

    /// Sends SIGTERM to every running child; for `atexit`.
    public static func terminateAll() { signalAll(SIGTERM) }
}
