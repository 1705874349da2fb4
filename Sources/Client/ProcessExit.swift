import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether a child process has exited, reliably.
///
/// Foundation's `Process.isRunning` can stay `true` for a child that already exited when several
/// processes are started at once (the child is left a zombie). This asks the kernel directly.
public enum ProcessExit {
    /// The exit status (128 + signal for a signalled process) once `process` has exited, else `nil`.
    public static func status(of process: Process) -> Int32? {
        let pid = process.processIdentifier
        guard pid > 0 else { return nil }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid {
            let signal = status & 0x7f
            return signal == 0 ? (status >> 8) & 0xff : 128 + signal
        }
        if result == 0 { return nil }
        // Already reaped (by Foundation): its own record is right.
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Waits (without blocking a thread) until `process` exits or `timeout` passes; returns its status.
    public static func wait(for process: Process, timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = status(of: process) { return status }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return status(of: process)
    }
}
