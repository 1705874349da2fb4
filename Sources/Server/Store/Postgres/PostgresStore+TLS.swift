import NIOSSL
import PostgresNIO

extension PostgresStore {
    /// The TLS settings `sslmode` asks for, as libpq reads them: `disable` sends plain text; `require`
    /// encrypts without checking the certificate (unless `sslrootcert` names authorities, which are then
    /// checked, not the host name); `verify-full` checks the certificate against the system's
    /// authorities (or `sslrootcert`'s) and the host name.
    static func tlsConfiguration(_ url: DatabaseURL) throws -> TLSConfiguration? {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch url.tls {
        case .disable: return nil
        case .require: tls.certificateVerification = url.rootCertificatePath == nil ? .none : .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        if let path = url.rootCertificatePath {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
            } catch {
                throw StoreError("cannot read sslrootcert=\(path) for \(url): \(error); it must be a PEM file of CA certificates")
            }
        }
        return tls
    }
}
