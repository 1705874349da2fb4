import Analysis
import FuzzSupport

/// Fuzzes `ProxyRoute.parse` with arbitrary request targets (the input's bytes, as UTF-8 with
/// replacement characters; half of the runs get `/proxy/` prepended so the fuzzer reaches the inner
/// parsers quickly). For every accepted route it checks:
/// - the invariants the rest of the proxy relies on (non-empty env of allowed bytes and at most 64 long,
///   scheme `http`/`https`, non-empty host, port in 1...65535, path starting with `/`, no `?` in the path);
/// - the round trip: `/proxy/{env}/{scheme}/{authority}{path}?{query}`, rebuilt from the parsed route,
///   parses to an equal route, and `upstreamURL` is the rebuilt target minus the `/proxy/{env}/` prefix.
/// Rejections must carry a non-empty message.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    var raw = String(decoding: bytes, as: UTF8.self)
    if let first = bytes.first, first & 1 == 1, !raw.hasPrefix("/") {
        raw = ProxyRoute.prefix + String(decoding: bytes.dropFirst(), as: UTF8.self)
    }
    check(raw)
    return 0
}

func check(_ target: String) {
    let route: ProxyRoute
    do {
        route = try ProxyRoute.parse(target)
    } catch {
        if error.message.isEmpty || error.description != error.message {
            fuzzFailure("ProxyRouteError without a message", "target: \(String(reflecting: target))")
        }
        return
    }
    let envOK =
        !route.env.isEmpty && route.env.utf8.count <= 64
        && route.env.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2E
                || b == 0x2D
        }
    let invariants: [(String, Bool)] = [
        ("env", envOK),
        ("scheme", route.scheme == "http" || route.scheme == "https"),
        ("host", !route.host.isEmpty && !route.host.contains("/") && !route.host.contains("?")),
        ("port", route.port.map { (1...65535).contains($0) } ?? true),
        ("path", route.path.hasPrefix("/") && !route.path.contains("?")),
    ]
    for (name, ok) in invariants where !ok {
        fuzzFailure("accepted route breaks the \(name) invariant", "target: \(String(reflecting: target))\nroute: \(route)")
    }
    let suffix = "\(route.authority)\(route.path)" + (route.query.map { "?\($0)" } ?? "")
    let rebuilt = "\(ProxyRoute.prefix)\(route.env)/\(route.scheme)/\(suffix)"
    guard let again = try? ProxyRoute.parse(rebuilt), again == route else {
        fuzzFailure(
            "route does not round-trip",
            "target: \(String(reflecting: target))\nroute: \(route)\nrebuilt: \(String(reflecting: rebuilt))\n"
                + "again: \(String(describing: try? ProxyRoute.parse(rebuilt)))"
        )
    }
    if route.upstreamURL != "\(route.scheme)://\(suffix)" {
        fuzzFailure("upstreamURL is not scheme://authority/path?query", "route: \(route)\nurl: \(route.upstreamURL)")
    }
}

/// The process entry point (see `runLibFuzzer`).
@_cdecl("fuzz_route_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in withInput(data, size, fuzz) }
}
