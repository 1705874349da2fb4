import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The terminal settings to put back if a signal ends the process while a password is being typed
/// with echo off.
private let echoRestore = Mutex<(fd: Int32, attributes: termios)?>(nil)

/// Reads what `llmtrace login` asks for: an email on the terminal, a password on the terminal with echo
/// off (never shown, never in argv), or a password on standard input (`--password-stdin`).
public enum TerminalInput {
    /// Asks on the controlling terminal (`/dev/tty`) and reads one line, shown as typed.
    public static func ask(_ prompt: String) throws(ClientError) -> String {
        try withTerminal { fd throws(ClientError) in
            write(fd, prompt)
            return try readLine(fd)
        }
    }

    /// Asks on the controlling terminal and reads one line with echo off; the terminal's settings are
    /// restored afterwards, also when a signal ends the process meanwhile (see ``restoreEcho()``).
    public static func askSecret(_ prompt: String) throws(ClientError) -> String {
        try withTerminal { fd throws(ClientError) in
            write(fd, prompt)
            var saved = termios()
            guard tcgetattr(fd, &saved) == 0 else { throw .input("cannot read the terminal's settings: use --password-stdin") }
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO | ECHOE | ECHOK)
            silent.c_lflag |= tcflag_t(ECHONL)
            echoRestore.withLock { $0 = (fd, saved) }
            tcsetattr(fd, TCSAFLUSH, &silent)
            defer {
                tcsetattr(fd, TCSAFLUSH, &saved)
                echoRestore.withLock { $0 = nil }
            }
            return try readLine(fd)
        }
    }

    /// Puts the terminal's echo back if a password prompt turned it off. Safe to call from a signal
    /// handler that is about to end the process.
    public static func restoreEcho() {
        // A signal handler must not wait: give up rather than block if the lock is held.
        guard let saved = echoRestore.withLockIfAvailable({ $0 }) ?? nil else { return }
        var attributes = saved.attributes
        tcsetattr(saved.fd, TCSANOW, &attributes)
    }

    /// The first line of standard input, without its line ending (`--password-stdin`).
    public static func standardInputLine(what: String) throws(ClientError) -> String {
        guard let line = try? readLine(STDIN_FILENO), !line.isEmpty else { throw .input("--password-stdin: standard input gave no \(what)") }
        return line
    }

    private static func withTerminal<T>(_ body: (Int32) throws(ClientError) -> T) throws(ClientError) -> T {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else {
            throw .input("there is no terminal to ask on: give --email, and the password on standard input with --password-stdin")
        }
        defer { close(fd) }
        return try body(fd)
    }

    private static func write(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }

    private static func readLine(_ fd: Int32) throws(ClientError) -> String {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n < 0, errno == EINTR { continue }
            if n < 0 { throw .input("cannot read from the terminal: \(String(cString: strerror(errno)))") }
            if n == 0 {
                if bytes.isEmpty { throw .input("no answer: the input ended") }
                break
            }
            if byte == UInt8(ascii: "\n") { break }
            bytes.append(byte)
        }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
