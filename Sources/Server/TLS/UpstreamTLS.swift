import NIOSSL

/// How upstream HTTPS is verified, by both proxy paths: against the system's CAs plus the ones
/// `--upstream-ca` names, never without verification.
enum UpstreamTLS {
    /// The client TLS configuration for upstream connections.
    static func configuration(_ c: ServerConfiguration) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .fullVerification
        if let path = c.upstreamCAPath { tls.additionalTrustRoots = [.file(path)] }
        return tls
    }

    /// The context the channel-level core makes connections with (HTTP/1.1 only); made at start, so a CA
    /// file that is not PEM is reported then.
    static func context(_ c: ServerConfiguration) throws(ConfigurationError) -> NIOSSLContext {
        var tls = configuration(c)
        tls.applicationProtocols = ["http/1.1"]
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw ConfigurationError("cannot use --upstream-ca \(c.upstreamCAPath ?? ""): \(error)")
        }
    }
}
