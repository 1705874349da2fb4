import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// The forward proxy's state shared by every connection: its settings, llmtrace's CA (read or made on
/// the first decrypted CONNECT), and how many connections it tunnelled without decrypting.
final class ForwardProxy: Sendable {
    let settings: ForwardProxySettings
    /// `--password` when llmtrace listens beyond loopback: CONNECT must then give it as `Proxy-Authorization: Basic`.
    let password: String?
    private let authority = NIOLockedValueBox<CertificateAuthority?>(nil)
    private let tunnelCount = NIOLockedValueBox(0)

    init(settings: ForwardProxySettings, password: String?) {
        self.settings = settings
        self.password = password
    }

    /// llmtrace's CA, read from (or made in) its directory the first time it is needed.
    func certificateAuthority() throws(CertificateAuthorityError) -> CertificateAuthority {
        let result: Result<CertificateAuthority, CertificateAuthorityError> = authority.withLockedValue { held in
            if let held { return .success(held) }
            do throws(CertificateAuthorityError) {
                let loaded = try CertificateAuthority.load(directory: settings.caDirectory ?? CertificateAuthority.defaultDirectory())
                held = loaded
                return .success(loaded)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Connections tunnelled without decryption since the start.
    var tunnelled: Int { tunnelCount.withLockedValue { $0 } }

    /// What `/api/health` says of the forward proxy.
    struct Health: Codable, Sendable {
        /// Connections tunnelled without decryption since the start.
        var tunnelled: Int
    }

    var health: Health { Health(tunnelled: tunnelled) }

    func countTunnel() {
        tunnelCount.withLockedValue { $0 += 1 }
    }
}
