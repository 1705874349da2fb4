import Analysis
import AsyncHTTPClient
import NIOCore
import NIOEmbedded
import NIOPosix
import Testing

@testable import Server

/// Where the proxy decides which address it connects to. The resolver is a fixed table, so no lookup
/// leaves the machine, and nothing here opens a connection.
@Suite struct UpstreamGateTests {
    static let hosts = FixedResolver(table: [
        "rebind.test": [IPAddress("169.254.169.254")!],
        "ollama.test": [IPAddress("127.0.0.1")!],
        "dual.test": [IPAddress("::1")!, IPAddress("127.0.0.1")!],
    ])

    func route(_ path: String) throws -> ProxyRoute { try ProxyRoute.parse(path) }

    @Test(arguments: ["2852039166", "169.254.43518", "0251.0376.0251.0376"])
    func allDigitSpellingsAreRefusedByTheRouteParser(host: String) {
        #expect(throws: ProxyRouteError.self) { try ProxyRoute.parse("/proxy/dev/http/\(host)/latest/") }
    }

    @Test func onLoopbackARouteIsForwardedAsWrittenWithoutALookup() async throws {
        let gate = UpstreamGate(policy: UpstreamPolicy(), resolver: FixedResolver(table: [:]))
        let admission = await gate.admit(try route("/proxy/dev/https/api.openai.com/v1/models?x=1"))
        #expect(admission == .connect(url: "https://api.openai.com/v1/models?x=1", host: nil))
    }

    /// Spellings the route parser lets through (it refuses all-digit ones such as `2852039166` and
    /// `169.254.43518` as invalid IPv4 addresses, with a 400).
    @Test(arguments: [
        "169.254.169.254", "0xa9.0xfe.0xa9.0xfe", "0xa9fea9fe", "0251.0xfe.0xa9fe", "[::ffff:169.254.169.254]",
        "[::ffff:a9fe:a9fe]", "[64:ff9b::a9fe:a9fe]", "[fe80::1]", "[fd00:ec2::254]", "metadata.google.internal", "rebind.test",
    ])
    func beyondLoopbackEverySpellingOfMetadataIsRefused(host: String) async throws {
        let gate = UpstreamGate(policy: UpstreamPolicy(refusesMetadata: true), resolver: Self.hosts, loopbackOnly: true)
        guard case .refuse(let refusal) = await gate.admit(try route("/proxy/dev/http/\(host)/latest/meta-data/")) else {
            Issue.record("\(host) was admitted")
            return
        }
        #expect(refusal.status == .forbidden)
        #expect(refusal.type == "upstream_not_allowed")
    }

    @Test func aPlainHTTPUpstreamIsConnectedToByTheAddressThatWasChecked() async throws {
        let gate = UpstreamGate(policy: UpstreamPolicy(refusesMetadata: true), resolver: Self.hosts, loopbackOnly: true)
        #expect(
            await gate.admit(try route("/proxy/dev/http/ollama.test:11434/api/chat?stream=true"))
                == .connect(url: "http://127.0.0.1:11434/api/chat?stream=true", host: "ollama.test:11434")
        )
        #expect(await gate.admit(try route("/proxy/dev/http/dual.test/v1")) == .connect(url: "http://[::1]:80/v1", host: "dual.test"))
        // A numeric spelling is connected to in its usual form.
        #expect(
            await gate.admit(try route("/proxy/dev/http/0x7f000001:8000/v1")) == .connect(url: "http://127.0.0.1:8000/v1", host: "0x7f000001:8000")
        )
    }

    @Test func anHTTPSNameIsLeftToTheConnectCheckUnlessAnAddressBlockMustMatchIt() async throws {
        // No lookup (the resolver knows nothing): the connection's address is checked when it is made.
        let byName = UpstreamGate(policy: UpstreamPolicy(refusesMetadata: true), resolver: FixedResolver(table: [:]))
        #expect(await byName.admit(try route("/proxy/dev/https/api.openai.com/v1")) == .connect(url: "https://api.openai.com/v1", host: nil))
        // Metadata names are still refused without a lookup.
        #expect(
            await byName.admit(try route("/proxy/dev/https/metadata.google.internal/"))
                != .connect(url: "https://metadata.google.internal/", host: nil)
        )
        // An address block in the list needs the addresses.
        let blocks = UpstreamGate(policy: UpstreamPolicy(allow: [try UpstreamPattern("10.0.0.0/8")], refusesMetadata: true), resolver: Self.hosts)
        guard case .refuse(let refusal) = await blocks.admit(try route("/proxy/dev/https/ollama.test/v1")) else {
            Issue.record("a name outside the block was admitted")
            return
        }
        #expect(refusal.type == "upstream_not_allowed")
    }

    @Test func theTestGuardRefusesWhatIsNotALoopbackLiteral() async throws {
        let gate = UpstreamGate(policy: UpstreamPolicy(), resolver: Self.hosts, loopbackOnly: true)
        // An HTTPS upstream is connected to by name (for its certificate), which the guard cannot check.
        guard case .refuse(let byName) = await gate.admit(try route("/proxy/dev/https/ollama.test/v1")) else {
            Issue.record("the guard let a name through")
            return
        }
        #expect(byName.message.contains("test guard"))
        guard case .refuse(let unknown) = await gate.admit(try route("/proxy/dev/http/nowhere.test/v1")) else {
            Issue.record("an unknown name was admitted")
            return
        }
        #expect(unknown.type == "upstream_unreachable")
        #expect(unknown.message.contains("DNS lookup of nowhere.test failed"))
    }

    @Test func anEnvironmentsAllowListApplies() async throws {
        let gate = UpstreamGate(policy: UpstreamPolicy(), resolver: Self.hosts, loopbackOnly: true)
        let allow = [try UpstreamPattern("ollama.test:11434")]
        #expect(
            await gate.admit(try route("/proxy/dev/http/ollama.test:11434/v1"), environment: allow)
                == .connect(url: "http://127.0.0.1:11434/v1", host: "ollama.test:11434")
        )
        guard case .refuse(let refusal) = await gate.admit(try route("/proxy/dev/http/127.0.0.1:5432/"), environment: allow) else {
            Issue.record("an upstream outside the environment's list was admitted")
            return
        }
        #expect(refusal.type == "upstream_not_allowed")
    }
}

/// The check on the address actually connected to (an HTTPS upstream is connected to by name).
@Suite struct UpstreamConnectCheckTests {
    func channel(connectedTo address: String, port: Int = 443) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        channel.remoteAddress = try SocketAddress(ipAddress: address, port: port)
        return channel
    }

    @Test func aConnectionThatReachedAMetadataAddressIsRefusedBeyondLoopback() throws {
        let policy = UpstreamPolicy(refusesMetadata: true)
        for address in ["169.254.169.254", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "fe80::1", "fd00:ec2::254"] {
            let refused = try channel(connectedTo: address)
            #expect(throws: UpstreamRefusedError.self, "\(address)") { try policy.connectCheck(refused).wait() }
            #expect(!refused.isActive, "\(address): the connection is closed")
        }
        for address in ["127.0.0.1", "104.18.6.192", "::1", "10.1.2.3"] {
            #expect(throws: Never.self) { try policy.connectCheck(try channel(connectedTo: address)).wait() }
        }
        // On loopback, or when a pattern names the address (or a metadata name), nothing is refused.
        #expect(throws: Never.self) { try UpstreamPolicy().connectCheck(try channel(connectedTo: "169.254.169.254")).wait() }
        let named = UpstreamPolicy(allow: [try UpstreamPattern("169.254.0.0/16")], refusesMetadata: true)
        #expect(throws: Never.self) { try named.connectCheck(try channel(connectedTo: "169.254.169.254")).wait() }
        let byName = UpstreamPolicy(allow: [try UpstreamPattern("metadata.google.internal")], refusesMetadata: true)
        #expect(throws: Never.self) { try byName.connectCheck(try channel(connectedTo: "169.254.169.254")).wait() }
    }

    /// AsyncHTTPClient fails the request with the check's own error, which the proxy answers as a 403.
    @Test func theUpstreamClientFailsTheRequestWithTheChecksError() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.http1_1ConnectionDebugInitializer = { channel in
            channel.eventLoop.makeFailedFuture(UpstreamRefusedError(description: "refused at connect"))
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        defer { _ = client.shutdown() }
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let port = try #require(server.localAddress?.port)
        do {
            _ = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/"), timeout: .seconds(10))
            Issue.record("the request went through")
        } catch let error as UpstreamRefusedError {
            #expect(error.description == "refused at connect")
        }
    }
}
