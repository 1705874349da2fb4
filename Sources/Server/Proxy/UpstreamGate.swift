import Analysis
import HTTPTypes
import NIOCore

/// Where the address of an upstream connection is decided: the route's host is resolved (or read as an
/// IP literal in any spelling the system accepts), the ``UpstreamPolicy`` decides on every address,
/// and a plain-HTTP upstream is then connected to by the very address that was checked, so a name
/// cannot resolve to an allowed address for the check and a refused one for the connection (DNS
/// rebinding). An HTTPS upstream is connected to by name, for its certificate to be checked against it,
/// and ``UpstreamPolicy/connectCheck(_:)`` checks the address that connection reached before a request
/// is sent on it.
struct UpstreamGate: Sendable {
    let policy: UpstreamPolicy
    let resolver: any UpstreamResolver
    /// Tests: connect only to loopback IP literals, and refuse (and log) anything else, so no test can
    /// send traffic off the machine even when the policy under test is wrong.
    var loopbackOnly = false

    /// Where to connect, or why not.
    enum Admission: Sendable, Equatable {
        /// Forward to `url`; `host`, when set, is the `Host` header (the URL names the checked address).
        case connect(url: String, host: String?)
        case refuse(Refusal)
    }

    /// The answer to a refused target, and what its record says.
    struct Refusal: Sendable, Equatable {
        let status: HTTPResponse.Status
        let type: String
        let message: String
    }

    /// Decides for `route`, with the environment's own allow list in shared mode.
    func admit(_ route: ProxyRoute, environment: [UpstreamPattern] = []) async -> Admission {
        if let decided = admitAtOnce(route, environment: environment) { return decided }
        var addresses: [IPAddress] = []
        var lookupFailure: (any Error)?
        do { addresses = try await resolver.addresses(of: route.host) } catch { lookupFailure = error }
        return decide(route, literal: nil, addresses: addresses, lookupFailure: lookupFailure, environment: environment)
    }

    /// The decision for `route` when it needs no name lookup (every upstream allowed, an IP literal, or an
    /// HTTPS name checked at connect time); `nil` when the name must be resolved first (``admit(_:environment:)``).
    func admitAtOnce(_ route: ProxyRoute, environment: [UpstreamPattern] = []) -> Admission? {
        if policy.allowsEverything, environment.isEmpty, !loopbackOnly { return .connect(url: route.upstreamURL, host: nil) }
        if let literal = IPAddress(hostSpelling: route.host) {
            return decide(route, literal: literal, addresses: [literal], lookupFailure: nil, environment: environment)
        }
        // An HTTPS name needs no lookup here unless an address block must match it: it is connected to by
        // name, and the address it reaches is checked then (``UpstreamPolicy/connectCheck(_:)``).
        if route.scheme == "https", !loopbackOnly, !(policy.allow + environment).contains(where: { $0.isNetwork }) {
            return decide(route, literal: nil, addresses: [], lookupFailure: nil, environment: environment)
        }
        return nil
    }

    /// The decision once `route`'s addresses are known (none for an HTTPS name checked at connect time).
    private func decide(
        _ route: ProxyRoute,
        literal: IPAddress?,
        addresses: [IPAddress],
        lookupFailure: (any Error)?,
        environment: [UpstreamPattern]
    ) -> Admission {
        let port = route.connectPort
        // A name the policy refuses is refused whether or not it resolves (`metadata.google.internal`).
        if case .refuse(let why) = policy.decide(host: route.host, port: port, addresses: addresses, environment: environment) {
            return .refuse(Refusal(status: .forbidden, type: "upstream_not_allowed", message: why))
        }
        if let lookupFailure {
            return .refuse(
                Refusal(
                    status: .badGateway,
                    type: "upstream_unreachable",
                    message: "could not reach \(route.scheme)://\(route.authority): \(lookupFailure)"
                )
            )
        }
        let pinned = route.scheme == "http" || literal != nil
        guard let address = addresses.first else { return .connect(url: route.upstreamURL, host: nil) }
        if loopbackOnly, !(pinned && address.isLoopback) {
            return .refuse(
                Refusal(
                    status: .badGateway,
                    type: "upstream_unreachable",
                    message: "test guard: refused to connect to \(route.host) (\(address)): tests reach loopback addresses only"
                )
            )
        }
        guard pinned else { return .connect(url: route.upstreamURL, host: nil) }
        let literalText = address.isIPv4 ? address.description : "[\(address)]"
        return .connect(url: "\(route.scheme)://\(literalText):\(port)\(route.requestTarget)", host: route.authority)
    }
}

/// A connection the upstream policy refused once it saw the address connected to.
struct UpstreamRefusedError: Error, Sendable, CustomStringConvertible {
    let description: String
}

extension UpstreamPolicy {
    /// The check AsyncHTTPClient runs on each new upstream connection before a request uses it: fails the
    /// connection when ``refusalAtConnect(_:)`` refuses its remote address.
    func connectCheck(_ channel: any Channel) -> EventLoopFuture<Void> {
        guard let refused = refusal(of: channel) else { return channel.eventLoop.makeSucceededVoidFuture() }
        channel.close(promise: nil)
        return channel.eventLoop.makeFailedFuture(refused)
    }

    /// Why a new upstream connection must not be used, from the address it reached (``refusalAtConnect(_:)``).
    func refusal(of channel: any Channel) -> UpstreamRefusedError? {
        guard refusesMetadata, let address = channel.remoteAddress.flatMap(IPAddress.init), let why = refusalAtConnect(address) else {
            return nil
        }
        return UpstreamRefusedError(description: why)
    }
}
