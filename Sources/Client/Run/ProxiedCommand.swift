import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How `llmtrace run` starts a program so that its HTTPS goes through llmtrace's forward proxy, with
/// llmtrace's CA trusted, for that program alone.
public enum ProxiedCommand {
    /// The hosts a program reaches without the proxy by default: loopback.
    public static let loopback = "localhost,127.0.0.1,::1"

    /// Where Linux distributions (and macOS) keep the system's CA bundle, tried in order.
    static let systemBundles = [
        "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem", "/etc/ssl/cert.pem",
    ]

    /// Writes `directory/bundle.pem`: the system's CAs followed by llmtrace's (`certificatePEM`), for tools
    /// that trust one file only (`SSL_CERT_FILE`, `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`); its path.
    public static func writeBundle(certificatePEM: String, directory: String) throws -> String {
        let system = systemBundles.lazy.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.first ?? ""
        let path = (directory as NSString).appendingPathComponent("bundle.pem")
        let separator = system.isEmpty || system.hasSuffix("\n") ? "" : "\n"
        try (system + separator + certificatePEM).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `base` with the proxy and CA variables set: `HTTPS_PROXY` and `HTTP_PROXY` (both spellings) to `proxyURL`, `NO_PROXY` to `noProxy` (loopback by default), `NODE_EXTRA_CA_CERTS` to llmtrace's CA alone (Node adds it
    /// to its own), `NODE_USE_ENV_PROXY=1` (Node 24+ then honours the proxy variables), and
    /// `SSL_CERT_FILE`, `REQUESTS_CA_BUNDLE` and `CURL_CA_BUNDLE` to the bundle of the system's CAs and llmtrace's.
    public static func environment(
        _ base: [String: String],
        proxyURL: String,
        certificate: String,
        bundle: String,
        noProxy: String = loopback
    ) -> [String: String] {
        var env = base
        for name in ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"] { env[name] = proxyURL }
        for name in ["NO_PROXY", "no_proxy"] { env[name] = noProxy }
        env["NODE_EXTRA_CA_CERTS"] = certificate
        env["NODE_USE_ENV_PROXY"] = "1"
        for name in ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"] { env[name] = bundle }
        return env
    }

    /// `HTTPS_PROXY` for a program: the server's address with the env as the proxy user name (llmtrace
    /// records the program's calls under it) and the password, if any, as the proxy password.
    public static func proxyURL(server: ServerAddress, env: String, password: String?) -> String {
        guard case .tcp(let base) = server.kind, let url = URL(string: base), let host = url.host else { return server.description }
        let unreserved = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let user = env.addingPercentEncoding(withAllowedCharacters: unreserved) ?? env
        let secret = password.map { ":" + ($0.addingPercentEncoding(withAllowedCharacters: unreserved) ?? $0) } ?? ""
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "http://\(user)\(secret)@\(hostPart):\(url.port ?? 80)"
    }

    /// Why the program could not be started.
    public struct StartError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Runs `arguments` (the program found on `PATH`) in the foreground with the terminal and `environment`,
    /// and returns its exit status (128 + the signal's number when a signal ended it). While it runs,
    /// ctrl-c and ctrl-\ go to it (this process ignores them, to report after it), and a SIGTERM or
    /// SIGHUP sent to this process is passed on to it.
    public static func run(_ arguments: [String], environment: [String: String]) throws(StartError) -> Int32 {
        guard let program = arguments.first else { throw StartError(description: "no program to run") }
        #if canImport(Darwin)
        var attributes: posix_spawnattr_t? = nil
        #else
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGPIPE] { sigaddset(&defaults, signal) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        // The terminal's ctrl-c reaches the whole process group: only the program should act on it.
        let previousInt = signal(SIGINT, SIG_IGN)
        let previousQuit = signal(SIGQUIT, SIG_IGN)
        defer {
            signal(SIGINT, previousInt)
            signal(SIGQUIT, previousQuit)
        }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, program, nil, &attributes, argv, envp)
        guard status == 0 else {
            throw StartError(description: "cannot run \(program): \(String(cString: strerror(status)))")
        }
        // The interrupt handler passes SIGTERM and SIGHUP on to registered children.
        ChildProcesses.add(pid)
        defer { ChildProcesses.remove(pid) }
        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, 0) < 0 {
            guard errno == EINTR else { return 1 }
        }
        let low = waitStatus & 0x7F
        return low == 0 ? (waitStatus >> 8) & 0xFF : 128 + low
    }
}
