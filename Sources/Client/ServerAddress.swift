import AsyncHTTPClient
import Foundation

/// Where an llmtrace server answers: `http://host:port`, `https://host:port` or `unix:///path/to.sock`.
public struct ServerAddress: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case tcp(base: String)
        case unix(path: String)
    }

    public let kind: Kind

    /// Parses a server address; a bare `host:port` means `http://host:port`, a bare path a unix socket.
    public init(_ text: String) throws(ClientError) {
        var t = text.trimmingCharacters(in: .whitespaces)
        // Schemes are case-insensitive: `HTTP://host` is `http://host`.
        for scheme in ["http://", "https://", "unix://"] where t.lowercased().hasPrefix(scheme) && !t.hasPrefix(scheme) {
            t = scheme + t.dropFirst(scheme.count)
        }
        if t.hasPrefix("unix://") {
            let path = String(t.dropFirst("unix://".count))
            guard path.hasPrefix("/") else {
                throw ClientError.badAddress(text, "a unix socket address needs an absolute path: unix:///path/to/llmtrace.sock")
            }
            kind = .unix(path: path)
        } else if t.hasPrefix("/") {
            kind = .unix(path: t)
        } else if t.hasPrefix("http://") || t.hasPrefix("https://") {
            guard let url = URL(string: t), url.host != nil else { throw ClientError.badAddress(text, "expected http://host:port") }
            kind = .tcp(base: t.hasSuffix("/") ? String(t.dropLast()) : t)
        } else if !t.isEmpty, !t.contains("/"), URL(string: "http://\(t)")?.host != nil {
            kind = .tcp(base: "http://\(t)")
        } else {
            throw ClientError.badAddress(text, "expected http://host:port or unix:///path/to/llmtrace.sock")
        }
    }

    public static func unix(_ path: String) -> ServerAddress {
        // An absolute path always parses.
        (try? ServerAddress(path)) ?? ServerAddress(kind: .unix(path: path))
    }

    private init(kind: Kind) {
        self.kind = kind
    }

    /// The URL AsyncHTTPClient needs for `pathAndQuery` (which starts with `/`).
    public func url(_ pathAndQuery: String) -> String {
        switch kind {
        case .tcp(let base): return base + pathAndQuery
        case .unix(let path): return URL(httpURLWithSocketPath: path, uri: pathAndQuery)?.absoluteString ?? "http+unix://invalid\(pathAndQuery)"
        }
    }

    public var description: String {
        switch kind {
        case .tcp(let base): return base
        case .unix(let path): return "unix://\(path)"
        }
    }
}
