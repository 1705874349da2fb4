import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOSSL
import SwiftASN1
import X509

/// llmtrace's own root CA, for the forward proxy: it signs a certificate for each host whose HTTPS
/// llmtrace decrypts, and clients that trust it (see `llmtrace ca`) accept those.
///
/// Kept as `llmtrace-ca.pem` (the certificate, one PEM block: some clients reject bundles) and
/// `llmtrace-ca-key.pem` (its key, mode 0600) in a directory of mode 0700, by default `~/.llmtrace/ca`.
///
/// Keys are ECDSA P-256: every TLS stack a client of an LLM API uses (OpenSSL, BoringSSL, Node, Python,
/// Go, Java, rustls) accepts them, a key is made in microseconds (an RSA-2048 key takes tens of
/// milliseconds, and the forward proxy would mint one per host), and signatures are small. The root is
/// valid for 10 years; leaf certificates for 7 days (a long-running server mints a new one before its
/// old one ends), made when a host is first seen and kept in memory. No name constraints: with
/// `--capture-all` the CA signs for any host.
public final class CertificateAuthority: Sendable {
    /// The directory the CA lives in.
    public let directory: String
    /// The CA certificate as PEM text.
    public let certificatePEM: String
    private let certificate: Certificate
    private let key: P256.Signing.PrivateKey
    /// One key for every leaf certificate of this process (never written anywhere).
    private let leafKey = P256.Signing.PrivateKey()
    private let leaves = NIOLockedValueBox<[String: Leaf]>([:])

    private struct Leaf {
        let context: NIOSSLContext
        let renewAfter: Date
    }

    /// The certificate file's name in ``directory``.
    public static let certificateFileName = "llmtrace-ca.pem"
    /// The key file's name in ``directory``.
    public static let keyFileName = "llmtrace-ca-key.pem"

    /// The CA certificate's path.
    public var certificatePath: String { (directory as NSString).appendingPathComponent(Self.certificateFileName) }
    /// The CA key's path.
    public var keyPath: String { (directory as NSString).appendingPathComponent(Self.keyFileName) }

    /// `$LLMTRACE_CA_DIR`, else `~/.llmtrace/ca`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let dir = environment["LLMTRACE_CA_DIR"], !dir.isEmpty { return dir }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".llmtrace/ca")
    }

    private init(directory: String, certificate: Certificate, key: P256.Signing.PrivateKey) throws {
        self.directory = directory
        self.certificate = certificate
        self.key = key
        self.certificatePEM = try certificate.serializeAsPEM().pemString + "\n"
    }

    /// The CA in `directory`, created there first when it has none (or when `regenerate`, which replaces it:
    /// clients must then trust the new certificate).
    public static func load(directory: String, regenerate: Bool = false) throws(CertificateAuthorityError) -> CertificateAuthority {
        let files = FileManager.default
        let certPath = (directory as NSString).appendingPathComponent(certificateFileName)
        let keyPath = (directory as NSString).appendingPathComponent(keyFileName)
        if !regenerate, files.fileExists(atPath: certPath) || files.fileExists(atPath: keyPath) {
            do {
                let key = try P256.Signing.PrivateKey(pemRepresentation: String(contentsOfFile: keyPath, encoding: .utf8))
                let certificate = try Certificate(pemEncoded: String(contentsOfFile: certPath, encoding: .utf8))
                guard certificate.publicKey == Certificate.PublicKey(key.publicKey) else {
                    throw CertificateAuthorityError(
                        "\(certPath) does not belong to the key \(keyPath); run `llmtrace ca --regenerate` to make a new CA"
                    )
                }
                return try CertificateAuthority(directory: directory, certificate: certificate, key: key)
            } catch let error as CertificateAuthorityError {
                throw error
            } catch {
                throw CertificateAuthorityError(
                    "cannot read llmtrace's CA in \(directory) (\(error)); run `llmtrace ca --regenerate` to make a new one"
                )
            }
        }
        do {
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try files.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
            let key = P256.Signing.PrivateKey()
            let authority = try CertificateAuthority(directory: directory, certificate: makeRoot(key: key), key: key)
            // The key is written with mode 0600 from its first byte, then the certificate beside it.
            try write(key.pemRepresentation + "\n", to: keyPath, mode: 0o600)
            try write(authority.certificatePEM, to: certPath, mode: 0o644)
            return authority
        } catch {
            throw CertificateAuthorityError("cannot create llmtrace's CA in \(directory): \(error)")
        }
    }

    private static func write(_ text: String, to path: String, mode: mode_t) throws {
        let temporary = path + ".tmp"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard fd >= 0 else { throw CertificateAuthorityError("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CertificateAuthorityError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    private static func makeRoot(key: P256.Signing.PrivateKey) throws -> Certificate {
        let name = try DistinguishedName {
            CommonName("llmtrace CA (\(ProcessInfo.processInfo.hostName))")
            OrganizationName("llmtrace")
        }
        let publicKey = Certificate.PublicKey(key.publicKey)
        let now = Date()
        return try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(10 * 365 * 86400),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: publicKey)
            },
            issuerPrivateKey: Certificate.PrivateKey(key)
        )
    }

    /// A certificate for `host` (a name or an IP address) signed by this CA, valid for 7 days.
    func leafCertificate(for host: String, now: Date = Date()) throws -> Certificate {
        let publicKey = Certificate.PublicKey(leafKey.publicKey)
        let alternativeName: GeneralName =
            if let address = IPAddress(hostSpelling: host) {
                .ipAddress(ASN1OctetString(contentBytes: ArraySlice(address.isIPv4 ? address.bytes.suffix(4) : address.bytes)))
            } else {
                .dnsName(host)
            }
        let authorityKey = try certificate.extensions.subjectKeyIdentifier?.keyIdentifier
        return try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(7 * 86400),
            issuer: certificate.subject,
            subject: try DistinguishedName { CommonName(String(host.prefix(64))) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([alternativeName])
                AuthorityKeyIdentifier(keyIdentifier: authorityKey)
            },
            issuerPrivateKey: Certificate.PrivateKey(key)
        )
    }

    /// The TLS server context that presents `host`'s certificate (offering HTTP/1.1 by ALPN), minted on
    /// first use and kept until a day before it ends.
    func serverContext(for host: String) throws -> NIOSSLContext {
        let now = Date()
        if let leaf = leaves.withLockedValue({ $0[host] }), leaf.renewAfter > now { return leaf.context }
        let certificate = try leafCertificate(for: host, now: now)
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: serializer.serializedBytes, format: .der))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(leafKey.derRepresentation), format: .der))
        )
        configuration.applicationProtocols = ["http/1.1"]
        let context = try NIOSSLContext(configuration: configuration)
        leaves.withLockedValue { $0[host] = Leaf(context: context, renewAfter: now.addingTimeInterval(6 * 86400)) }
        return context
    }
}

/// The CA could not be read or made; the message says what to do.
public struct CertificateAuthorityError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
