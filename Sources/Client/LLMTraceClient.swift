import AsyncHTTPClient
import Foundation
import LLMTraceModel
import NIOCore
import NIOHTTP1
import StreamDecoding

/// Talks to an llmtrace server over TCP or its unix socket: reads the JSON API and follows the live
/// event stream, reconnecting with backoff and resuming from the last event it saw.
public final class LLMTraceClient: Sendable {
    /// What ``events(filter:)`` yields.
    public enum Update: Sendable {
        case state(ConnectionStatus)
        case event(LiveEvent)
    }

    /// How the client proves who it is.
    public enum Authentication: Sendable {
        /// Nothing: an open standalone server.
        case none
        /// A standalone server's `--password`, sent as a Bearer token.
        case password(String)
        /// A signed-in session of a shared-mode server: access tokens, refreshed silently.
        case session(SessionTokens)
    }

    public let server: ServerAddress
    /// The server's key for saved sessions and sign-in messages.
    public let key: ServerKey
    public let authentication: Authentication
    private let http: HTTPClient
    let decoder = JSONCoding.makeDecoder()

    /// - Parameters:
    ///   - server: where the server answers.
    ///   - password: the server's `--password`, sent as a Bearer token.
    public convenience init(server: ServerAddress, password: String? = nil) {
        self.init(server: server, authentication: password.map { .password($0) } ?? .none)
    }

    /// - Parameters:
    ///   - server: where the server answers.
    ///   - key: the server's key for saved sessions (default: from `server`; an ssh tunnel passes its own).
    ///   - authentication: a password, a signed-in session, or nothing.
    public init(server: ServerAddress, key: ServerKey? = nil, authentication: Authentication) {
        self.server = server
        self.key = key ?? ServerKey(address: server)
        self.authentication = authentication
        // The event stream sends a ping every 15 s, so 45 s of silence means the connection is dead.
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(5), read: .seconds(45)), decompression: .disabled)
        configuration.connectionPool.retryConnectionEstablishment = false
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Closes connections. Call once when done.
    public func shutdown() async {
        try? await http.shutdown()
    }

    // MARK: JSON API

    /// `GET path` decoded as `T`.
    public func get<T: Decodable>(_ pathAndQuery: String, as type: T.Type = T.self) async throws(ClientError) -> T {
        let (status, body) = try await send(pathAndQuery)
        guard status == 200 else { throw failure(status: status, body: body) }
        do {
            return try decoder.decode(T.self, from: Data(body))
        } catch {
            throw .decoding("\(pathAndQuery): \(error)")
        }
    }

    /// One page of summaries, newest first.
    public func requests(limit: Int = 100, cursor: String? = nil, filter: String? = nil) async throws(ClientError) -> Page {
        var query = ["limit=\(limit)"]
        if let cursor { query.append("cursor=\(Self.escape(cursor))") }
        if let filter, !filter.isEmpty { query.append("filter=\(Self.escape(filter))") }
        return try await get("/api/requests?" + query.joined(separator: "&"))
    }

    public func record(id: String) async throws(ClientError) -> TraceRecord {
        try await get("/api/requests/\(Self.escape(id))")
    }

    /// The most recently active sessions of at least `minTurns` turns, with their totals.
    public func sessions(limit: Int = 100, minTurns: Int = 1) async throws(ClientError) -> [SessionSummary] {
        try await get("/api/sessions?limit=\(limit)&minTurns=\(minTurns)", as: SessionList.self).items
    }

    /// A session and its turns, oldest first.
    public func session(id: String) async throws(ClientError) -> SessionDetail {
        try await get("/api/sessions/\(Self.escape(id))")
    }

    /// What the request `id` changed since the previous turn of its session.
    public func diff(id: String) async throws(ClientError) -> TurnDiff {
        try await get("/api/requests/\(Self.escape(id))/diff")
    }

    public func stats() async throws(ClientError) -> Stats {
        try await get("/api/stats")
    }

    /// Removes every record on the server.
    public func clear() async throws(ClientError) {
        let (status, body) = try await send("/api/requests", method: .DELETE)
        guard status == 200 else { throw failure(status: status, body: body) }
    }

    /// llmtrace's CA certificate (PEM), which the forward proxy signs decrypted hosts with.
    public func forwardProxyCA() async throws(ClientError) -> String {
        let (status, body) = try await send("/api/forward-proxy/ca.pem")
        guard status == 200 else { throw failure(status: status, body: body) }
        return String(decoding: body, as: UTF8.self)
    }

    /// Whether the server answers `/api/health` (with the right password).
    public func ping() async throws(ClientError) {
        let (status, body) = try await send("/api/health")
        guard status == 200 else { throw failure(status: status, body: body) }
    }

    /// Sends a request with this client's authentication. With a session, a 401 (a token the server no
    /// longer takes, e.g. after it restarted with another secret) gets one more try with a refreshed token.
    func send(_ pathAndQuery: String, method: HTTPMethod = .GET, json: [UInt8]? = nil) async throws(ClientError) -> (Int, [UInt8]) {
        let bearer = try await bearerToken()
        let answer = try await send(pathAndQuery, method: method, json: json, bearer: bearer)
        guard answer.0 == 401, case .session(let session) = authentication, let bearer else { return answer }
        await session.discard(bearer)
        return try await send(pathAndQuery, method: method, json: json, bearer: try await bearerToken())
    }

    /// Sends a request with `bearer` (or none) as its `Authorization`.
    func send(_ pathAndQuery: String, method: HTTPMethod, json: [UInt8]?, bearer: String?) async throws(ClientError) -> (Int, [UInt8]) {
        var request = HTTPClientRequest(url: server.url(pathAndQuery))
        request.method = method
        if let bearer { request.headers.add(name: "authorization", value: "Bearer \(bearer)") }
        if let json {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: json))
        }
        do {
            let response = try await http.execute(request, timeout: .seconds(30))
            var body = try await response.body.collect(upTo: 64 << 20)
            return (Int(response.status.code), body.readBytes(length: body.readableBytes) ?? [])
        } catch {
            throw .unreachable(server.description, Self.describe(error))
        }
    }

    /// Sends a request to the server's proxy (`/proxy/…`) as an application would: with `headers` and
    /// `body` and without this client's credentials (the proxy forwards what it is given). The answer is
    /// collected whole (up to 64 MB).
    public func proxy(
        _ pathAndQuery: String,
        method: String,
        headers: [HeaderField],
        body: [UInt8]
    ) async throws(ClientError) -> (
        status: Int, headers: [HeaderField], body: [UInt8]
    ) {
        var request = HTTPClientRequest(url: server.url(pathAndQuery))
        request.method = HTTPMethod(rawValue: method)
        for h in headers { request.headers.add(name: h.name, value: h.value) }
        if !body.isEmpty { request.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await http.execute(request, timeout: .minutes(10))
            var collected = try await response.body.collect(upTo: 64 << 20)
            let fields = response.headers.map { HeaderField(name: $0.name.lowercased(), value: $0.value) }
            return (Int(response.status.code), fields, collected.readBytes(length: collected.readableBytes) ?? [])
        } catch {
            throw .unreachable(server.description, Self.describe(error))
        }
    }

    /// Streams `GET pathAndQuery`'s body to `body`, a chunk at a time as it arrives (an export of any size
    /// in constant memory). A status other than 200 is thrown with the server's message.
    public func download(_ pathAndQuery: String, _ body: (ByteBuffer) throws -> Void) async throws(ClientError) {
        var request = HTTPClientRequest(url: server.url(pathAndQuery))
        if let bearer = try await bearerToken() { request.headers.add(name: "authorization", value: "Bearer \(bearer)") }
        let response: HTTPClientResponse
        do { response = try await http.execute(request, timeout: .hours(24)) } catch {
            throw .unreachable(server.description, Self.describe(error))
        }
        guard response.status == .ok else {
            let collected = try? await response.body.collect(upTo: 1 << 20)
            throw failure(status: Int(response.status.code), body: collected.map { Array($0.readableBytesView) } ?? [])
        }
        do {
            for try await chunk in response.body { try body(chunk) }
        } catch let error as ClientError {
            throw error
        } catch {
            throw .unreachable(server.description, "the download stopped: \(Self.describe(error))")
        }
    }

    /// The Bearer token to send: the password, a session's access token (refreshed when due), or none.
    func bearerToken() async throws(ClientError) -> String? {
        switch authentication {
        case .none: return nil
        case .password(let password): return password
        case .session(let session):
            return try await session.accessToken { [self] (token: String) async throws(ClientError) -> TokenPair in
                try await refreshTokens(token)
            }
        }
    }

    // MARK: Live events

    /// The live event stream, forever: connects, yields events, and on any loss reconnects with
    /// backoff (0.25 s doubling to 5 s) resuming after the last event id. Ends when the consumer stops
    /// iterating, or with `.offline` when the server refuses the password or the session has ended
    /// (the reason says how to sign in again). A session's access token is refreshed before each
    /// connection as it falls due.
    public func events(env: String? = nil, model: String? = nil, filter: String? = nil) -> AsyncStream<Update> {
        var query: [String] = []
        if let env { query.append("env=\(Self.escape(env))") }
        if let model { query.append("model=\(Self.escape(model))") }
        if let filter, !filter.isEmpty { query.append("filter=\(Self.escape(filter))") }
        let path = "/api/events" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        let (stream, continuation) = AsyncStream.makeStream(of: Update.self, bufferingPolicy: .unbounded)
        let task = Task { [self] in
            var lastID: UInt64?
            var attempt = 0
            var retriedUnauthorized = false
            while !Task.isCancelled {
                continuation.yield(.state(.connecting))
                let outcome = await follow(path: path, lastID: &lastID, retriedUnauthorized: &retriedUnauthorized, continuation: continuation)
                if Task.isCancelled { break }
                switch outcome {
                case .refused(let reason):
                    continuation.yield(.state(.offline(reason: reason)))
                    continuation.finish()
                    return
                case .lost(let reason, let wasLive):
                    attempt = wasLive ? 1 : attempt + 1
                    let delayMs = min(5000, 250 << min(attempt - 1, 5))
                    continuation.yield(.state(.reconnecting(reason: reason, attempt: attempt, retryInSeconds: Double(delayMs) / 1000)))
                    try? await Task.sleep(for: .milliseconds(delayMs))
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    private enum Outcome {
        case lost(String, wasLive: Bool)
        case refused(String)
    }

    private func follow(
        path: String,
        lastID: inout UInt64?,
        retriedUnauthorized: inout Bool,
        continuation: AsyncStream<Update>.Continuation
    ) async -> Outcome {
        var live = false
        let bearer: String?
        do {
            bearer = try await bearerToken()
        } catch .unreachable(_, let reason) {
            return .lost(reason, wasLive: false)
        } catch {
            return .refused(error.description)
        }
        var request = HTTPClientRequest(url: server.url(path))
        request.headers.add(name: "accept", value: "text/event-stream")
        if let bearer { request.headers.add(name: "authorization", value: "Bearer \(bearer)") }
        if let lastID { request.headers.add(name: "last-event-id", value: String(lastID)) }
        do {
            let response = try await http.execute(request, timeout: .seconds(10))
            guard response.status == .ok else {
                var body = try await response.body.collect(upTo: 1 << 20)
                let bytes = body.readBytes(length: body.readableBytes) ?? []
                if response.status == .unauthorized, case .session(let session) = authentication, let bearer {
                    // A token the server no longer takes: refresh and connect again at once.
                    await session.discard(bearer)
                    if retriedUnauthorized { return .refused(failure(status: 401, body: bytes).description) }
                    retriedUnauthorized = true
                    return .lost("the server refused the access token; refreshing it", wasLive: false)
                }
                let error = failure(status: Int(response.status.code), body: bytes)
                if response.status == .unauthorized { return .refused(error.description) }
                return .lost(error.description, wasLive: false)
            }
            retriedUnauthorized = false
            live = true
            continuation.yield(.state(.live))
            var decoder = SSEDecoder()
            for try await chunk in response.body {
                for sse in chunk.withUnsafeReadableBytes({ decoder.feed($0) }) {
                    guard let name = sse.event, let kind = LiveEvent.Kind(rawValue: name), let id = sse.id.flatMap(UInt64.init) else { continue }
                    lastID = id
                    continuation.yield(.event(LiveEvent(id: id, kind: kind, json: sse.data)))
                }
            }
            return .lost("the server closed the event stream", wasLive: true)
        } catch {
            return .lost(Self.describe(error), wasLive: live)
        }
    }

    // MARK: Helpers

    /// The error for a non-2xx answer. A 401 says what to do: give the password (standalone), sign in
    /// (shared mode, no session) or sign in again (the session ended).
    func failure(status: Int, body: [UInt8]) -> ClientError {
        let error = Self.errorObject(body)
        if status == 401 {
            if case .session = authentication { return .sessionEnded(server: key.label, signIn: key.signInCommand) }
            if error.type == "unauthenticated" { return .notSignedIn(server: key.label, signIn: key.signInCommand) }
            return .unauthorized(server.description)
        }
        return .http(status, error.message ?? String(decoding: body.prefix(300), as: UTF8.self))
    }

    /// The `type` and `message` of an `{"error":{…}}` body.
    static func errorObject(_ body: [UInt8]) -> (type: String?, message: String?) {
        let error = (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["error"] as? [String: Any]
        return (error?["type"] as? String, error?["message"] as? String)
    }

    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("Connection refused") || text.contains("connectionRefused") { return "connection refused" }
        if text.contains("No such file") { return "no socket at that path" }
        if text.contains("connectTimeout") { return "connection timed out" }
        if text.contains("readTimeout") { return "no data for 45 s" }
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    /// `?name=value&…` for the items with a value (escaped as ``escape(_:)`` does), or `""` for none.
    public static func query(_ items: [(String, String?)]) -> String {
        let pairs = items.compactMap { name, value in value.map { "\(name)=\(escape($0))" } }
        return pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&")
    }

    static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "=", "+", "?", "#"])) ?? s
    }
}
