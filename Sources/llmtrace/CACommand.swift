import ArgumentParser
import Foundation
import Server

/// `llmtrace ca`: where llmtrace's CA for the forward proxy is, and how to make programs trust it.
struct CACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ca",
        abstract: "Show (creating it on first use) the CA the forward proxy signs decrypted hosts with, and how to trust it."
    )

    @Option(name: .long, help: "The CA's directory (default ~/.llmtrace/ca, or LLMTRACE_CA_DIR).")
    var caDir: String?
    @Flag(name: .long, help: "Print only the CA certificate's path.")
    var path = false
    @Option(name: .long, help: "Write a copy of the CA certificate (PEM) to this file.")
    var export: String?
    @Flag(name: .long, help: "Replace the CA with a new one (programs must then trust the new certificate).")
    var regenerate = false

    func run() throws {
        let directory = caDir ?? CertificateAuthority.defaultDirectory()
        let authority: CertificateAuthority
        do {
            authority = try CertificateAuthority.load(directory: directory, regenerate: regenerate)
        } catch {
            throw CLIError(error.description)
        }
        if let export {
            do { try authority.certificatePEM.write(toFile: export, atomically: true, encoding: .utf8) } catch {
                throw CLIError("cannot write \(export): \(error.localizedDescription)")
            }
        }
        if path {
            print(authority.certificatePath)
            return
        }
        print(Self.instructions(certificate: authority.certificatePath, regenerated: regenerate, exported: export))
    }

    /// What `llmtrace ca` prints: the files, and the lines that make each kind of program trust the CA.
    static func instructions(certificate: String, regenerated: Bool, exported: String?) -> String {
        var lines = [
            regenerated ? "llmtrace made a new CA: trust it again wherever you trusted the old one." : "llmtrace's CA:",
            "  certificate  \(certificate)",
            "  key          \((certificate as NSString).deletingLastPathComponent)/\(CertificateAuthority.keyFileName) (never share it)",
        ]
        if let exported { lines.append("  copied to    \(exported)") }
        lines += [
            "",
            "Programs whose HTTPS the forward proxy decrypts must trust it. Send them through llmtrace with",
            "  export HTTPS_PROXY=http://127.0.0.1:8080 NO_PROXY=localhost,127.0.0.1,::1",
            "and, per tool:",
            "  curl       curl -x http://127.0.0.1:8080 --cacert \(certificate) https://api.openai.com/v1/models",
            "  Python     export SSL_CERT_FILE=BUNDLE REQUESTS_CA_BUNDLE=BUNDLE   (BUNDLE: the system's CAs followed by this file,",
            "             e.g. cat /etc/ssl/certs/ca-certificates.crt \(certificate) > ~/.llmtrace/ca/bundle.pem)",
            "  Node       export NODE_EXTRA_CA_CERTS=\(certificate) NODE_USE_ENV_PROXY=1   (Node 24 and later honour HTTPS_PROXY this way;",
            "             on Node 20 and 22 give fetch an undici ProxyAgent, see the README)",
            "  system     sudo cp \(certificate) /usr/local/share/ca-certificates/llmtrace-ca.crt && sudo update-ca-certificates",
        ]
        return lines.joined(separator: "\n")
    }
}
