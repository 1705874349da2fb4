import Client
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Debian's nginx (`/usr/sbin/nginx`) in the foreground (a master and one worker), with its
/// configuration, logs, pid file and temporary files in a directory of its own, listening on a free
/// port of 127.0.0.1.
///
/// Not `master_process off`: a single nginx process keeps the signal mask it inherits, and the test
/// runner's blocks SIGTERM, so it would never stop; the master unblocks signals itself.
final class NginxProcess: Sendable {
    static let binary = URL(fileURLWithPath: "/usr/sbin/nginx")
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: binary.path) }

    let process: Process
    let port: Int
    let directory: URL
    private let output: OutputBuffer

    /// `http://127.0.0.1:PORT`
    var url: String { "http://127.0.0.1:\(port)" }

    /// What nginx wrote to its error log and its output.
    var log: String {
        let errors = (try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
        return errors + output.text
    }

    private init(process: Process, port: Int, directory: URL, output: OutputBuffer) {
        self.process = process
        self.port = port
        self.directory = directory
        self.output = output
    }

    /// Starts nginx with one `server` on a free port whose body is `server` (e.g. a `location / { … }`
    /// block), and returns once it accepts connections. A port taken between choosing it and binding it
    /// is chosen again.
    static func start(server: String, directory: URL) async throws -> NginxProcess {
        var lastFailure: (any Error)?
        for _ in 0..<3 {
            do {
                return try await startOnce(server: server, directory: directory, port: try freePort())
            } catch let failure as ProcessFailure where failure.description.contains("Address already in use") {
                lastFailure = failure
            }
        }
        throw lastFailure ?? ProcessFailure("nginx did not start")
    }

    private static func startOnce(server: String, directory: URL, port: Int) async throws -> NginxProcess {
        let d = directory.path
        // As root the worker would switch to `nobody`, who cannot write in the temporary directory.
        let user = geteuid() == 0 ? "user root;" : ""
        let configuration = """
            daemon off;
            \(user)
            worker_processes 1;
            pid \(d)/nginx.pid;
            error_log \(d)/error.log info;
            events { worker_connections 64; }
            http {
                access_log \(d)/access.log;
                client_body_temp_path \(d)/client_body;
                proxy_temp_path \(d)/proxy;
                fastcgi_temp_path \(d)/fastcgi;
                uwsgi_temp_path \(d)/uwsgi;
                scgi_temp_path \(d)/scgi;
                server {
                    listen 127.0.0.1:\(port);
            \(server)
                }
            }

            """
        let file = directory.appendingPathComponent("nginx.conf")
        try configuration.write(to: file, atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(at: directory.appendingPathComponent("error.log"))

        let process = Process()
        process.executableURL = binary
        // -e: the error log from the start (before the configuration is read), not /var/log/nginx's.
        process.arguments = ["-e", "\(d)/error.log", "-p", d, "-c", file.path]
        let output = OutputBuffer()
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { h in output.append(String(decoding: h.availableData, as: UTF8.self)) }
        try process.run()
        let nginx = NginxProcess(process: process, port: port, directory: directory, output: output)
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let status = ProcessExit.status(of: process) {
                throw ProcessFailure("nginx exited with \(status) before listening:\n\(nginx.log)\nconfiguration:\n\(configuration)")
            }
            if portAnswers(port) { return nginx }
            try await Task.sleep(for: .milliseconds(20))
        }
        await nginx.stop()
        throw ProcessFailure("nginx did not listen on 127.0.0.1:\(port) within 10 s:\n\(nginx.log)")
    }

    /// SIGTERM (a fast shutdown), and SIGKILL if nginx has not exited within 10 s.
    func stop() async {
        guard ProcessExit.status(of: process) == nil else { return }
        kill(process.processIdentifier, SIGTERM)
        if await ProcessExit.wait(for: process, timeout: .seconds(10)) == nil {
            kill(process.processIdentifier, SIGKILL)
            _ = await ProcessExit.wait(for: process, timeout: .seconds(10))
        }
    }

    deinit {
        if ProcessExit.status(of: process) == nil { kill(process.processIdentifier, SIGKILL) }
    }
}

/// nginx serving `server` (the body of its `server` block) for the length of `body`, in a temporary
/// directory; then stopped and the directory removed.
func withNginx<T>(server: String, _ body: (NginxProcess) async throws -> T) async throws -> T {
    try await withTempDirectory { directory in
        let nginx = try await NginxProcess.start(server: server, directory: directory)
        return try await withTeardown(nginx, teardown: { await $0.stop() }, body)
    }
}
