import HTTPTypes
import Testing

@testable import Server

/// `--trusted-proxy`: which client a request's forwarding headers name, and when they are believed.
struct ForwardedClientTests {
    static let loopback = ["127.0.0.1"]
    static let privateNet = ["10.0.0.0/8", "127.0.0.1"]

    /// The client of a request from `peer` with these header field lines, as address text and scheme.
    func resolve(
        peer: String?,
        trusted: [String] = loopback,
        xff: [String] = [],
        proto: [String] = [],
        forwarded: [String] = []
    ) -> (address: String?, scheme: String?) {
        let client = ForwardedClient(
            peer: peer.flatMap { IPAddress($0) },
            trustedProxies: trusted.compactMap { IPNetwork($0) },
            xForwardedFor: xff,
            xForwardedProto: proto,
            forwarded: forwarded
        )
        return (client.address?.description, client.scheme)
    }

    func address(peer: String? = "127.0.0.1", trusted: [String] = loopback, xff: [String] = [], forwarded: [String] = []) -> String? {
        resolve(peer: peer, trusted: trusted, xff: xff, forwarded: forwarded).address
    }

    // MARK: Who is believed

    @Test func withoutTrustedProxiesTheHeadersAreIgnored() {
        let headers: HTTPFields = [
            ForwardedClient.xForwardedFor: "203.0.113.7", ForwardedClient.xForwardedProto: "https", ForwardedClient.forwarded: "for=198.51.100.1",
        ]
        let client = ForwardedClient(peer: IPAddress("127.0.0.1"), trustedProxies: [], headers: headers)
        #expect(client == ForwardedClient(peer: IPAddress("127.0.0.1")))
        #expect(client.description == "127.0.0.1")
    }

    @Test func anUntrustedPeersHeadersAreIgnored() {
        #expect(resolve(peer: "192.0.2.9", xff: ["203.0.113.7"], proto: ["https"]) == ("192.0.2.9", nil))
        #expect(resolve(peer: "192.0.2.9", forwarded: ["for=203.0.113.7;proto=https"]) == ("192.0.2.9", nil))
        // 127.0.0.2 is loopback, but only 127.0.0.1 is trusted.
        #expect(address(peer: "127.0.0.2", xff: ["203.0.113.7"]) == "127.0.0.2")
    }

    @Test func theUnixSocketHasNoAddressAndNothingIsBelieved() {
        #expect(resolve(peer: nil, xff: ["203.0.113.7"], proto: ["https"]) == (nil, nil))
        #expect(ForwardedClient(peer: nil).description == "-")
    }

    @Test func aTrustedPeerWithoutHeadersIsTheClient() {
        #expect(resolve(peer: "127.0.0.1") == ("127.0.0.1", nil))
        #expect(address(xff: ["", "  "]) == "127.0.0.1")
    }

    @Test func theHeadersAreReadFromHTTPFields() {
        var headers = HTTPFields()
        headers.append(HTTPField(name: ForwardedClient.xForwardedFor, value: "198.51.100.1"))
        headers.append(HTTPField(name: ForwardedClient.xForwardedFor, value: "203.0.113.7"))
        headers.append(HTTPField(name: ForwardedClient.xForwardedProto, value: "https"))
        let client = ForwardedClient(peer: IPAddress("127.0.0.1"), trustedProxies: [IPNetwork("127.0.0.0/8")].compactMap { $0 }, headers: headers)
        #expect(client.address == IPAddress("203.0.113.7"))
        #expect(client.scheme == "https")
        #expect(client.description == "203.0.113.7 (https)")
    }

    // MARK: X-Forwarded-For

    @Test func oneProxyNamesItsClient() {
        #expect(address(xff: ["203.0.113.7"]) == "203.0.113.7")
        #expect(address(xff: [" 203.0.113.7 "]) == "203.0.113.7")
        #expect(address(xff: ["\"203.0.113.7\""]) == "203.0.113.7")
    }

    /// A client sends its own X-Forwarded-For through nginx, which appends the address it saw: the
    /// right-most entry that is not a trusted proxy wins, whatever the client wrote to its left.
    @Test func aClientsOwnXForwardedForGainsItNothing() {
        #expect(address(xff: ["198.51.100.66, 203.0.113.7"]) == "203.0.113.7")
        #expect(address(xff: ["127.0.0.1, 203.0.113.7"]) == "203.0.113.7")
        #expect(address(trusted: Self.privateNet, xff: ["10.1.2.3, 203.0.113.7"]) == "203.0.113.7")
        #expect(address(xff: ["garbage, 203.0.113.7"]) == "203.0.113.7")
        #expect(address(xff: ["unknown, 203.0.113.7"]) == "203.0.113.7")
        // The client's own line comes first, the proxy's appended line last.
        #expect(address(xff: ["198.51.100.66", "203.0.113.7"]) == "203.0.113.7")
    }

    @Test func trustedHopsAreSkippedRightToLeft() {
        let chain = "203.0.113.7, 10.0.0.2, 10.0.0.3"
        #expect(address(peer: "10.0.0.4", trusted: Self.privateNet, xff: [chain]) == "203.0.113.7")
        // Only the nearest proxy trusted: the hop it names is the client.
        #expect(address(peer: "10.0.0.4", trusted: ["10.0.0.4"], xff: [chain]) == "10.0.0.3")
        // Every hop trusted: the farthest one is the best that is known.
        #expect(address(peer: "10.0.0.4", trusted: Self.privateNet, xff: ["10.0.0.1, 10.0.0.2"]) == "10.0.0.1")
    }

    @Test func addressesWithPortsAndIPv6() {
        #expect(address(xff: ["203.0.113.7:4711"]) == "203.0.113.7")
        #expect(address(xff: ["2001:db8::7"]) == "2001:db8::7")
        #expect(address(xff: ["[2001:db8::7]"]) == "2001:db8::7")
        #expect(address(xff: ["[2001:db8::7]:4711"]) == "2001:db8::7")
        #expect(address(xff: ["::ffff:203.0.113.7"]) == "203.0.113.7")
        #expect(address(xff: ["fe80::1%eth0"]) == "fe80::1")
        #expect(address(peer: "::1", trusted: ["::1"], xff: ["203.0.113.7"]) == "203.0.113.7")
        // An IPv4-mapped peer (a dual-stack listener) is the IPv4 address it carries.
        #expect(address(peer: "::ffff:127.0.0.1", xff: ["203.0.113.7"]) == "203.0.113.7")
        #expect(address(peer: "::1", trusted: ["::1"], xff: ["2001:db8::1, ::1"]) == "2001:db8::1")
    }

    /// An entry that names no address ends the walk: the trusted proxy that wrote it stands for its client.
    @Test func malformedEntriesFallBackToTheProxyThatReportedThem() {
        for bad in [
            "garbage", "unknown", "_hidden", "203.0.113", "203.0.113.256", "203.0.113.7:", "203.0.113.7:0", "203.0.113.7:65536",
            "203.0.113.7:80:80", "[203.0.113.7]", "[2001:db8::7", "[2001:db8::7]x", "[2001:db8::7]:", "example.com", "0x7f.1",
            "203.0.113.7 203.0.113.8", String(repeating: "1", count: 5000), "\u{0}", "203.0.113.7\u{0}", "२०३.0.113.7",
        ] {
            #expect(address(xff: [bad]) == "127.0.0.1", "\(bad)")
            #expect(address(peer: "10.0.0.3", trusted: Self.privateNet, xff: ["\(bad), 10.0.0.2"]) == "10.0.0.2", "\(bad)")
        }
        // An empty item is a hop that names nothing, too.
        #expect(address(xff: ["203.0.113.7,"]) == "127.0.0.1")
        #expect(address(xff: ["203.0.113.7,,"]) == "127.0.0.1")
        #expect(address(xff: [",203.0.113.7"]) == "203.0.113.7")
    }

    // MARK: X-Forwarded-Proto

    @Test func theSchemeOfTheClient() {
        #expect(resolve(peer: "127.0.0.1", xff: ["203.0.113.7"], proto: ["https"]) == ("203.0.113.7", "https"))
        #expect(resolve(peer: "127.0.0.1", xff: ["203.0.113.7"], proto: ["HTTPS"]) == ("203.0.113.7", "https"))
        #expect(resolve(peer: "127.0.0.1", xff: ["203.0.113.7"], proto: ["http"]) == ("203.0.113.7", "http"))
        #expect(resolve(peer: "127.0.0.1", xff: ["203.0.113.7"], proto: ["ftp"]) == ("203.0.113.7", nil))
        #expect(resolve(peer: "127.0.0.1", xff: ["203.0.113.7"], proto: ["https;x"]) == ("203.0.113.7", nil))
        // A proxy that sets only the protocol.
        #expect(resolve(peer: "127.0.0.1", proto: ["https"]) == ("127.0.0.1", "https"))
    }

    @Test func alignedListsGiveTheSchemeOfTheClientsHop() {
        // Each proxy appended to both lists: the client reached the outer proxy over https.
        let aligned = resolve(peer: "10.0.0.3", trusted: Self.privateNet, xff: ["203.0.113.7, 10.0.0.2"], proto: ["https, http"])
        #expect(aligned == ("203.0.113.7", "https"))
        // nginx overwrites X-Forwarded-Proto with its own $scheme: one value, whatever the client sent.
        let overwritten = resolve(peer: "127.0.0.1", xff: ["198.51.100.66, 203.0.113.7"], proto: ["https"])
        #expect(overwritten == ("203.0.113.7", "https"))
    }

    // MARK: Forwarded (RFC 7239)

    @Test func forwardedNamesTheClientAndItsScheme() {
        #expect(resolve(peer: "127.0.0.1", forwarded: ["for=203.0.113.7;proto=https"]) == ("203.0.113.7", "https"))
        #expect(resolve(peer: "127.0.0.1", forwarded: ["For=203.0.113.7;Proto=HTTP;by=127.0.0.1"]) == ("203.0.113.7", "http"))
        #expect(resolve(peer: "127.0.0.1", forwarded: ["for=\"203.0.113.7\""]) == ("203.0.113.7", nil))
        #expect(resolve(peer: "127.0.0.1", forwarded: ["for=\"[2001:db8:cafe::17]:4711\""]) == ("2001:db8:cafe::17", nil))
        #expect(resolve(peer: "127.0.0.1", forwarded: ["for=\"203.0.113.7:_port\""]) == ("203.0.113.7", nil))
        #expect(resolve(peer: "127.0.0.1", forwarded: ["proto=https;for=203.0.113.7"]) == ("203.0.113.7", "https"))
        #expect(resolve(peer: "127.0.0.1", forwarded: [" for = 203.0.113.7 ; proto = https "]) == ("203.0.113.7", "https"))
        // Unbracketed IPv6, which some proxies send: read leniently.
        #expect(address(forwarded: ["for=2001:db8::7"]) == "2001:db8::7")
        #expect(address(forwarded: ["for=\"203.0.113.\\7\""]) == "203.0.113.7")
    }

    @Test func forwardedIsWalkedRightToLeft() {
        #expect(address(forwarded: ["for=198.51.100.66, for=203.0.113.7"]) == "203.0.113.7")
        #expect(address(forwarded: ["for=198.51.100.66", "for=203.0.113.7"]) == "203.0.113.7")
        #expect(address(forwarded: ["for=198.51.100.66,for=203.0.113.7,"]) == "203.0.113.7")
        let chain = "for=203.0.113.7;proto=https, for=10.0.0.2;proto=http"
        #expect(resolve(peer: "10.0.0.3", trusted: Self.privateNet, forwarded: [chain]) == ("203.0.113.7", "https"))
        // A quoted comma or semicolon is part of a value, not a separator.
        #expect(address(forwarded: ["for=198.51.100.66;ext=\"a,b;c\", for=203.0.113.7"]) == "203.0.113.7")
        #expect(address(forwarded: [";;for=203.0.113.7;"]) == "203.0.113.7")
    }

    @Test func obfuscatedAndUnknownNodesStopAtTheReportingProxy() {
        #expect(resolve(peer: "127.0.0.1", forwarded: ["for=_hidden;proto=https"]) == ("127.0.0.1", "https"))
        #expect(address(forwarded: ["for=\"_gazonk\""]) == "127.0.0.1")
        #expect(address(forwarded: ["for=unknown"]) == "127.0.0.1")
        #expect(address(forwarded: ["for=UNKNOWN"]) == "127.0.0.1")
        #expect(address(peer: "10.0.0.3", trusted: Self.privateNet, forwarded: ["for=_abc, for=10.0.0.2"]) == "10.0.0.2")
        // An element without `for` says nothing of its client.
        #expect(resolve(peer: "127.0.0.1", forwarded: ["proto=https"]) == ("127.0.0.1", "https"))
        #expect(address(forwarded: ["for=203.0.113.7, by=127.0.0.1"]) == "127.0.0.1")
    }

    @Test func aForwardedHeaderThatDoesNotParseIsIgnored() {
        for bad in [
            "for=\"203.0.113.7", "for", "for;proto=https", "=203.0.113.7", "for=203.0.113.7;for=198.51.100.1", "for=a\"b\"",
            "for=203.0.113.7 proto=https", "\"for\"=203.0.113.7", "for=\"203.0.113.7\\",
        ] {
            #expect(resolve(peer: "127.0.0.1", forwarded: [bad]) == ("127.0.0.1", nil), "\(bad)")
            // One bad line spoils the header.
            #expect(address(forwarded: ["for=203.0.113.7", bad]) == "127.0.0.1", "\(bad)")
        }
        #expect(address(forwarded: [","]) == "127.0.0.1")
    }

    /// nginx and Caddy set X-Forwarded-For and pass a client's own `Forwarded` through untouched: with both
    /// present X-Forwarded-For is the one believed, so that client cannot name itself.
    @Test func xForwardedForWinsOverForwarded() {
        #expect(address(xff: ["203.0.113.7"], forwarded: ["for=198.51.100.66"]) == "203.0.113.7")
        let both = resolve(peer: "127.0.0.1", xff: ["203.0.113.7"], proto: ["http"], forwarded: ["for=198.51.100.66;proto=https"])
        #expect(both == ("203.0.113.7", "http"))
        // Forwarded counts when X-Forwarded-For is absent (or blank).
        #expect(address(xff: [" "], forwarded: ["for=198.51.100.66"]) == "198.51.100.66")
    }

    /// Whatever arrives, the answer is an address: the peer's or one a header held, never a crash.
    @Test func arbitraryHeadersNeverCrash() {
        let alphabet = Array("0123456789abcdef.:[]_\"\\,; =forFORprotohttps%\t\u{0}é")
        var seed: UInt64 = 0x1234_5678
        func random(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(seed >> 33) % n
        }
        for _ in 0..<3000 {
            let text = String((0..<random(40)).map { _ in alphabet[random(alphabet.count)] })
            let xff = random(2) == 0 ? [text] : []
            let result = resolve(peer: "127.0.0.1", trusted: ["127.0.0.0/8", "::/0"], xff: xff, proto: [text], forwarded: [text])
            #expect(result.address != nil)
            #expect(result.scheme == nil || result.scheme == "http" || result.scheme == "https")
        }
    }
}
