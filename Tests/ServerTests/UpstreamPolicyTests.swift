import Testing

@testable import Server

@Suite struct IPAddressTests {
    @Test(arguments: [
        "169.254.169.254", "2852039166", "0251.0376.0251.0376", "0xa9.0xfe.0xa9.0xfe", "0xA9FEA9FE", "169.254.43518", "169.16689662",
        "0251.0xfe.43518", "::ffff:169.254.169.254", "[::ffff:169.254.169.254]", "::ffff:a9fe:a9fe", "2852039166.",
    ])
    func everySpellingOfTheMetadataAddressIsOneAddress(spelling: String) throws {
        let address = try #require(IPAddress(hostSpelling: spelling))
        #expect(address == IPAddress("169.254.169.254"))
        #expect(address.description == "169.254.169.254")
    }

    @Test(arguments: ["api.openai.com", "localhost", "1.2.3.4.5", "256.1.1.1", "4294967296", "0x", "08.1.1.1", "1..1", "", "1.2.3.0x100"])
    func namesAndImpossibleNumbersAreNotAddresses(text: String) {
        if text == "0x" {
            // inet_aton reads a bare `0x` as 0 (0.0.0.0); what matters is that it is not mistaken for a name.
            #expect(IPAddress(hostSpelling: text) == IPAddress("0.0.0.0"))
        } else {
            #expect(IPAddress(hostSpelling: text) == nil)
        }
    }

    @Test func ipv6FormsAndTheirEmbeddedIPv4() throws {
        let nat64 = try #require(IPAddress("64:ff9b::a9fe:a9fe"))
        #expect(nat64.embeddedIPv4 == IPAddress("169.254.169.254"))
        #expect(IPAddress("::a9fe:a9fe")?.embeddedIPv4 == IPAddress("169.254.169.254"))
        #expect(IPAddress("::1")?.embeddedIPv4 == nil)
        #expect(IPAddress("::1")?.isLoopback == true)
        #expect(IPAddress("127.9.9.9")?.isLoopback == true)
        #expect(IPAddress("fe80::1%eth0") == IPAddress("fe80::1"))
        #expect(IPAddress("2001:db8::1")?.description == "2001:db8::1")
        #expect(IPAddress("2001:db8::1")?.isIPv4 == false)
    }

    @Test func networksContainWhatTheirPrefixCovers() throws {
        let linkLocal = try #require(IPNetwork("169.254.0.0/16"))
        #expect(try linkLocal.contains(#require(IPAddress("169.254.169.254"))))
        #expect(try !linkLocal.contains(#require(IPAddress("169.255.0.1"))))
        #expect(try linkLocal.contains(#require(IPAddress("::ffff:169.254.1.1"))))
        let v6 = try #require(IPNetwork("fe80::/10"))
        #expect(try v6.contains(#require(IPAddress("febf::1"))))
        #expect(try !v6.contains(#require(IPAddress("fec0::1"))))
        #expect(IPNetwork("10.1.2.3/8")?.description == "10.0.0.0/8")
        #expect(IPNetwork("10.0.0.1")?.description == "10.0.0.1/32")
        #expect(IPNetwork("0.0.0.0/0")?.contains(IPAddress("8.8.8.8")!) == true)
        for bad in ["10.0.0.0/33", "fe80::/129", "10.0.0.0/", "10.0.0.0/x", "example.com/8", "10.0.0.0/-1"] {
            #expect(IPNetwork(bad) == nil, "\(bad)")
        }
    }
}

@Suite struct UpstreamPatternTests {
    @Test func patternsParseHostsBlocksAndPorts() throws {
        #expect(try UpstreamPattern("*.OpenAI.com").target == .host("*.openai.com"))
        #expect(try UpstreamPattern("localhost:11434").port == 11434)
        #expect(try UpstreamPattern("10.0.0.0/8:8000").target == .network(#require(IPNetwork("10.0.0.0/8"))))
        #expect(try UpstreamPattern("10.0.0.0/8:8000").port == 8000)
        #expect(try UpstreamPattern("[fd00::/8]:443").port == 443)
        #expect(try UpstreamPattern("fd00::/8").target == .network(#require(IPNetwork("fd00::/8"))))
        #expect(try UpstreamPattern("fd00::/8").port == nil)
        for bad in ["", "host:0", "host:99999", "ho st", "10.0.0.0/40", "[fd00::/8", "a/b", "http://x"] {
            #expect(throws: UpstreamPatternError.self, "\(bad)") { try UpstreamPattern(bad) }
        }
    }

    @Test func globsMatchRunsOfCharacters() {
        #expect(UpstreamPattern.glob("*.openai.com", matches: "api.openai.com"))
        #expect(UpstreamPattern.glob("*.openai.com", matches: "a.b.openai.com"))
        #expect(!UpstreamPattern.glob("*.openai.com", matches: "openai.com"))
        #expect(!UpstreamPattern.glob("*.openai.com", matches: "api.openai.com.evil.net"))
        #expect(UpstreamPattern.glob("*", matches: "anything"))
        #expect(UpstreamPattern.glob("api-*.example.*", matches: "api-eu.example.org"))
    }
}

@Suite struct UpstreamPolicyTests {
    static let metadata = IPAddress("169.254.169.254")!
    static let publicPolicy = UpstreamPolicy(refusesMetadata: true)

    func decide(
        _ policy: UpstreamPolicy,
        _ host: String,
        _ port: Int = 80,
        _ addresses: [String],
        environment: [String] = []
    ) throws
        -> UpstreamPolicy.Decision
    {
        try policy.decide(
            host: host,
            port: port,
            addresses: addresses.map { try #require(IPAddress($0)) },
            environment: environment.map { try UpstreamPattern($0) }
        )
    }

    @Test func onLoopbackEverythingIsAllowed() throws {
        let loopback = UpstreamPolicy()
        #expect(loopback.allowsEverything)
        #expect(try decide(loopback, "169.254.169.254", 80, ["169.254.169.254"]) == .allow)
    }

    @Test func beyondLoopbackMetadataAndLinkLocalAreRefusedInEveryForm() throws {
        for (host, address) in [
            ("169.254.169.254", "169.254.169.254"), ("169.254.170.2", "169.254.170.2"), ("fe80::1", "fe80::1"),
            ("fd00:ec2::254", "fd00:ec2::254"), ("64:ff9b::a9fe:a9fe", "64:ff9b::a9fe:a9fe"), ("100.100.100.200", "100.100.100.200"),
            ("evil.example", "169.254.169.254"),
        ] {
            guard case .refuse(let why) = try decide(Self.publicPolicy, host, 80, [address]) else {
                Issue.record("\(host) → \(address) was allowed")
                continue
            }
            #expect(why.contains("--allow-upstream"))
        }
        // A name that resolves to a public address and to the metadata one is refused (every address counts).
        #expect(try decide(Self.publicPolicy, "mixed.example", 443, ["93.184.216.34", "169.254.169.254"]) != .allow)
        if case .refuse(let why) = try decide(Self.publicPolicy, "evil.example", 80, ["169.254.169.254"]) {
            #expect(why.contains("evil.example resolves to 169.254.169.254"))
        }
        #expect(try decide(Self.publicPolicy, "metadata.google.internal", 80, ["10.1.2.3"]) != .allow)
        #expect(try decide(Self.publicPolicy, "METADATA.google.internal.", 80, ["10.1.2.3"]) != .allow)
        #expect(try decide(Self.publicPolicy, "api.openai.com", 443, ["104.18.6.192"]) == .allow)
        #expect(try decide(Self.publicPolicy, "127.0.0.1", 11434, ["127.0.0.1"]) == .allow)
    }

    @Test func aPatternThatNamesAMetadataAddressAllowsIt() throws {
        let named = UpstreamPolicy(allow: [try UpstreamPattern("169.254.169.254"), try UpstreamPattern("*")], refusesMetadata: true)
        #expect(try decide(named, "169.254.169.254", 80, ["169.254.169.254"]) == .allow)
        // `*` alone does not name the link-local block.
        #expect(try decide(named, "169.254.1.1", 80, ["169.254.1.1"]) != .allow)
        let byName = UpstreamPolicy(allow: [try UpstreamPattern("metadata.google.internal:80")], refusesMetadata: true)
        #expect(try decide(byName, "metadata.google.internal", 80, ["169.254.169.254"]) == .allow)
        #expect(try decide(byName, "metadata.google.internal", 8080, ["169.254.169.254"]) != .allow)
    }

    @Test func anAllowListLimitsEverythingElse() throws {
        let policy = UpstreamPolicy(
            allow: try ["*.openai.com", "localhost:11434", "10.0.0.0/8:8000"].map { try UpstreamPattern($0) },
            refusesMetadata: false
        )
        #expect(try decide(policy, "api.openai.com", 443, ["104.18.6.192"]) == .allow)
        #expect(try decide(policy, "api.anthropic.com", 443, ["160.79.104.10"]) != .allow)
        #expect(try decide(policy, "localhost", 11434, ["127.0.0.1"]) == .allow)
        #expect(try decide(policy, "localhost", 5432, ["127.0.0.1"]) != .allow)
        #expect(try decide(policy, "vllm.internal", 8000, ["10.2.3.4"]) == .allow)
        #expect(try decide(policy, "vllm.internal", 8000, ["10.2.3.4", "192.168.1.1"]) != .allow)
        #expect(try decide(policy, "10.9.9.9", 22, ["10.9.9.9"]) != .allow)
        if case .refuse(let why) = try decide(policy, "example.com", 80, ["93.184.216.34"]) {
            #expect(why.contains("not in this server's upstream allow list"))
        }
    }

    @Test func anEnvironmentsListNarrowsTheServersPolicy() throws {
        let open = UpstreamPolicy()
        #expect(try decide(open, "api.openai.com", 443, ["104.18.6.192"], environment: ["api.openai.com"]) == .allow)
        guard case .refuse(let why) = try decide(open, "api.anthropic.com", 443, ["160.79.104.10"], environment: ["api.openai.com"]) else {
            Issue.record("an upstream outside the environment's list was allowed")
            return
        }
        #expect(why.contains("this environment's upstream allow list"))
        let server = UpstreamPolicy(allow: [try UpstreamPattern("*.openai.com")], refusesMetadata: true)
        // The environment cannot widen the server's list.
        #expect(try decide(server, "api.anthropic.com", 443, ["160.79.104.10"], environment: ["*"]) != .allow)
    }

    @Test func theSummaryNamesThePolicyInForce() throws {
        #expect(UpstreamPolicy().summary.contains("any upstream"))
        #expect(Self.publicPolicy.summary.contains("but link-local and cloud metadata"))
        #expect(UpstreamPolicy(allow: [try UpstreamPattern("*.openai.com")], refusesMetadata: true).summary.hasPrefix("only *.openai.com"))
    }
}
