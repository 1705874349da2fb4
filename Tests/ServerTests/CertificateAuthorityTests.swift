import Foundation
import Testing
import X509

@testable import Server

/// llmtrace's CA: made once with private files, read back as the same CA, replaced only when asked, and
/// signing leaf certificates a verifier that trusts it accepts for the right name or address only.
@Suite struct CertificateAuthorityTests {
    private func withDirectory<T>(_ body: (String) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("llmtrace-ca-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return try body((dir as NSString).appendingPathComponent("ca"))
    }

    @Test func theCAIsMadeOnceWithPrivateFilesAndReadBack() throws {
        try withDirectory { dir in
            let first = try CertificateAuthority.load(directory: dir)
            let mode = { (path: String) in try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int }
            #expect(try mode(dir) == 0o700)
            #expect(try mode(first.keyPath) == 0o600)
            #expect(try mode(first.certificatePath) == 0o644)
            let again = try CertificateAuthority.load(directory: dir)
            #expect(again.certificatePEM == first.certificatePEM)
            let root = try Certificate(pemEncoded: first.certificatePEM)
            #expect(try root.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
            #expect(root.notValidAfter.timeIntervalSinceNow > 9 * 365 * 86400)
            let replaced = try CertificateAuthority.load(directory: dir, regenerate: true)
            #expect(replaced.certificatePEM != first.certificatePEM)
            #expect(try CertificateAuthority.load(directory: dir).certificatePEM == replaced.certificatePEM)
        }
    }

    @Test func aKeyThatDoesNotMatchItsCertificateIsAClearError() throws {
        try withDirectory { dir in
            let first = try CertificateAuthority.load(directory: dir)
            let other = (dir as NSString).appendingPathComponent("other")
            let second = try CertificateAuthority.load(directory: other)
            try FileManager.default.removeItem(atPath: first.keyPath)
            try FileManager.default.copyItem(atPath: second.keyPath, toPath: first.keyPath)
            #expect {
                _ = try CertificateAuthority.load(directory: dir)
            } throws: { error in
                "\(error)".contains("does not belong to the key") && "\(error)".contains("--regenerate")
            }
        }
    }

    @Test(arguments: ["api.openai.com", "127.0.0.1", "::1"])
    func leafCertificatesVerifyAgainstTheCAForTheirHostOnly(host: String) async throws {
        try await withDirectoryAsync { dir in
            let authority = try CertificateAuthority.load(directory: dir)
            let root = try Certificate(pemEncoded: authority.certificatePEM)
            let leaf = try authority.leafCertificate(for: host)
            #expect(leaf.notValidAfter.timeIntervalSince(leaf.notValidBefore) <= 8 * 86400)
            #expect(try leaf.extensions.basicConstraints == .notCertificateAuthority)

            func verify(_ name: String) async -> Bool {
                var verifier = Verifier(rootCertificates: CertificateStore([root])) {
                    RFC5280Policy(validationTime: Date())
                    ServerIdentityPolicy(serverHostname: IPAddress(name) == nil ? name : nil, serverIP: IPAddress(name).map { $0.description })
                }
                if case .validCertificate = await verifier.validate(leaf: leaf, intermediates: CertificateStore()) { return true }
                return false
            }
            #expect(await verify(host))
            #expect(await !verify(host == "api.openai.com" ? "api.anthropic.com" : "10.0.0.1"))
            _ = try authority.serverContext(for: host)
        }
    }

    private func withDirectoryAsync<T>(_ body: (String) async throws -> T) async throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("llmtrace-ca-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return try await body((dir as NSString).appendingPathComponent("ca"))
    }
}
