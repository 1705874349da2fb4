import Client
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Makes sure a client command's helper processes (its ssh) end with it, whichever way it ends.
///
/// Installed before a client command starts anything, so it covers the seconds a tunnel takes to open:
/// - SIGINT, SIGTERM, SIGHUP: SIGTERM to every ``ChildProcess`` (they run with a clean signal mask),
///   the terminal's echo back if a password prompt turned it off, then exit with 128 + the signal. `tui` replaces these with its own, which restore the terminal
///   first and close the connection on the way out.
/// - SIGSEGV, SIGBUS, SIGILL, SIGABRT, SIGTRAP, SIGFPE: the same, then die by the signal as before.
/// - `exit` (an error, ArgumentParser's exit): an `atexit` hook does the same.
enum InterruptHandler {
    static func install() {
        ChildProcesses.prepare()
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in
                ChildProcesses.signalAll(SIGTERM)
                TerminalInput.restoreEcho()  // ctrl-c at `llmtrace login`'s password prompt
                _exit(128 + sig)
            }
            sigemptyset(&action.sa_mask)
            sigaction(sig, &action, nil)
        }
        for sig in [SIGSEGV, SIGBUS, SIGILL, SIGABRT, SIGTRAP, SIGFPE] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in
                ChildProcesses.signalAll(SIGTERM)
                signal(sig, SIG_DFL)
                raise(sig)
            }
            sigemptyset(&action.sa_mask)
            sigaction(sig, &action, nil)
        }
        atexit { ChildProcesses.terminateAll() }
    }
}
