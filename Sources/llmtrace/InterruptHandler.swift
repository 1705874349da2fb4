import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The process to kill when the user interrupts a client command (its ssh tunnel). A plain global,
/// read only by the signal handler, which may do nothing but async-signal-safe calls.
nonisolated(unsafe) private var childToKill: pid_t = 0

/// On SIGINT, SIGTERM or SIGHUP: kills the ssh tunnel (with SIGKILL: ssh started from a worker thread
/// inherits a signal mask that blocks SIGTERM) and exits with 128 + the signal.
enum InterruptHandler {
    static func install(killing pid: pid_t?) {
        childToKill = pid ?? 0
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in
                if childToKill > 0 { kill(childToKill, SIGKILL) }
                _exit(128 + sig)
            }
            sigemptyset(&action.sa_mask)
            sigaction(sig, &action, nil)
        }
    }
}
