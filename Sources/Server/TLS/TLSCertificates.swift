import Foundation
import Logging
import NIOSSL
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The certificate chain and private key `llmtrace serve` answers TLS with (`--tls-cert`, `--tls-key`),
/// kept as a ready `NIOSSLContext` that ``reload()`` swaps atomically.
///
/// Every new connection reads the context in force when it is accepted, so after a reload new
/// connections get the new pair while those already open finish on the old one.
public final class TLSCertificates: Sendable {
    /// The PEM file with the certificate chain, the server's own certificate first.
    public let certificatePath: String
    /// The PEM file with the private key of the chain's first certificate.
    public let keyPath: String
    private let current: Mutex<NIOSSLContext>

    /// Loads the pair; throws a ``ConfigurationError`` naming the file that is missing, unreadable, not
    /// PEM, or does not go with the other.
    public init(certificatePath: String, keyPath: String) throws(ConfigurationError) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.current = Mutex(try Self.makeContext(certificatePath: certificatePath, keyPath: keyPath))
    }

    /// The context new connections use.
    public var context: NIOSSLContext { current.withLock { $0 } }

    /// Reads the files again and, when they make a valid pair, uses them for new connections. On an
    /// error the pair in force stays, and the error says why the new one was refused.
    public func reload() throws(ConfigurationError) {
        let context = try Self.makeContext(certificatePath: certificatePath, keyPath: keyPath)
        current.withLock { $0 = context }
    }

    /// A server context for TLS 1.2 and later over the pair in the two files.
    static func makeContext(certificatePath: String, keyPath: String) throws(ConfigurationError) -> NIOSSLContext {
        let chain = try certificateChain(certificatePath)
        let key = try privateKey(keyPath)
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        tls.applicationProtocols = ["http/1.1"]
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw ConfigurationError(
                "--tls-key \(keyPath) does not go with the certificate in --tls-cert \(certificatePath) (\(error)): give the private key that was issued with that certificate"
            )
        }
    }

    private static func read(_ path: String, flag: String) throws(ConfigurationError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read (check its permissions)" : "does not exist"
            throw ConfigurationError("\(flag) \(path) \(reason)")
        }
        return [UInt8](data)
    }

    private static func certificateChain(_ path: String) throws(ConfigurationError) -> [NIOSSLCertificate] {
        let bytes = try read(path, flag: "--tls-cert")
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMBytes(bytes) } catch {
            throw ConfigurationError(
                "--tls-cert \(path) is not a PEM certificate chain (\(error)): give the file that begins with -----BEGIN CERTIFICATE-----"
            )
        }
        guard !chain.isEmpty else {
            throw ConfigurationError("--tls-cert \(path) holds no certificate: give the PEM file that begins with -----BEGIN CERTIFICATE-----")
        }
        return chain
    }

    private static func privateKey(_ path: String) throws(ConfigurationError) -> NIOSSLPrivateKey {
        let bytes = try read(path, flag: "--tls-key")
        do { return try NIOSSLPrivateKey(bytes: bytes, format: .pem) } catch {
            throw ConfigurationError(
                "--tls-key \(path) is not an unencrypted PEM private key (\(error)): give the file that begins with -----BEGIN PRIVATE KEY----- (or RSA/EC PRIVATE KEY)"
            )
        }
    }
}

/// Reloads ``TLSCertificates`` on each SIGHUP until graceful shutdown, logging the outcome.
struct TLSReloadService: Service {
    let certificates: TLSCertificates
    let signals: UnixSignalsSequence
    let logger: Logger

    /// Traps SIGHUP at once (its default action ends the process), before the server starts listening.
    init(certificates: TLSCertificates, logger: Logger) async {
        self.certificates = certificates
        self.signals = await UnixSignalsSequence(trapping: .sighup)
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in signals {
                do {
                    try certificates.reload()
                    logger.notice(
                        "SIGHUP: reloaded the TLS certificate \(certificates.certificatePath) and key \(certificates.keyPath); new connections use them"
                    )
                } catch {
                    logger.error("SIGHUP: kept the TLS certificate in use, the new one was refused: \(error)")
                }
            }
        }
    }
}
