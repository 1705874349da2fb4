import Foundation

/// Where the server's unix socket lives unless `--socket` says otherwise.
public enum SocketPath {
    /// `$XDG_RUNTIME_DIR/llmtrace.sock`, else `~/.llmtrace/llmtrace.sock`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            return (runtime as NSString).appendingPathComponent("llmtrace.sock")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".llmtrace/llmtrace.sock")
    }
}
