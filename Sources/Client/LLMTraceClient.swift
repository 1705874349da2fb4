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

    public let server: ServerAddress
    private let password: String?
    private let http: HTTPClient
    private let decoder = JSONCoding.makeDecoder()

    /// - Parameters:
    ///   - server: where the server answers.
    ///   - password: the server's `--password`, sent as a Bearer token.
    public init(server: ServerAddress, password: String? = nil) {
        self.server = server
        self.password = password
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
        guard status == 200 else { throw Self.failure(status: status, body: body, server: server) }
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

    public func stats() async throws(ClientError) -> Stats {
        try await get("/api/stats")
    }

    /// Removes every record on the server.
    public func clear() async throws(ClientError) {
        let (status, body) = try await send("/api/requests", method: .DELETE)
        guard status == 200 else { throw Self.failure(status: status, body: body, server: server) }
    }

    /// Whether the server answers `/api/health` (with the right password).
    public func ping() async throws(ClientError) {
        let (status, body) = try await send("/api/health")
        guard status == 200 else { throw Self.failure(status: status, body: body, server: server) }
    }

    private func send(_ pathAndQuery: String, method: HTTPMethod = .GET) async throws(ClientError) -> (Int, [UInt8]) {
        var request = HTTPClientRequest(url: server.url(pathAndQuery))
        request.method = method
        if let password { request.headers.add(name: "authorization", value: "Bearer \(password)") }
        do {
            let response = try await http.execute(request, timeout: .seconds(30))
            var body = try await response.body.collect(upTo: 64 << 20)
            return (Int(response.status.code), body.readBytes(length: body.readableBytes) ?? [])
        } catch {
            throw .unreachable(server.description, Self.describe(error))
        }
    }

    // MARK: Live events

    /// The live event stream, forever: connects, yields events, and on any loss reconnects with
    /// backoff (0.25 s doubling to 5 s) resuming after the last event id. Ends when the consumer stops
    /// iterating, or with `.offline` when the server refuses the password.
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
            while !Task.isCancelled {
                continuation.yield(.state(.connecting))
                let outcome = await follow(path: path, lastID: &lastID, continuation: continuation)
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

    private func follow(path: String, lastID: inout UInt64?, continuation: AsyncStream<Update>.Continuation) async -> Outcome {
        var request = HTTPClientRequest(url: server.url(path))
        request.headers.add(name: "accept", value: "text/event-stream")
        if let password { request.headers.add(name: "authorization", value: "Bearer \(password)") }
        if let lastID { request.headers.add(name: "last-event-id", value: String(lastID)) }
        var live = false
        do {
            let response = try await http.execute(request, timeout: .seconds(10))
            guard response.status == .ok else {
                var body = try await response.body.collect(upTo: 1 << 20)
                let error = Self.failure(status: Int(response.status.code), body: body.readBytes(length: body.readableBytes) ?? [], server: server)
                if response.status == .unauthorized { return .refused(error.description) }
                return .lost(error.description, wasLive: false)
            }
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

    static func failure(status: Int, body: [UInt8], server: ServerAddress) -> ClientError {
        if status == 401 { return .unauthorized(server.description) }
        let message =
            (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
            .flatMap { ($0["error"] as? [String: Any])?["message"] as? String } ?? String(decoding: body.prefix(300), as: UTF8.self)
        return .http(status, message)
    }

    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("Connection refused") || text.contains("connectionRefused") { return "connection refused" }
        if text.contains("No such file") { return "no socket at that path" }
        if text.contains("connectTimeout") { return "connection timed out" }
        if text.contains("readTimeout") { return "no data for 45 s" }
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "=", "+", "?", "#"])) ?? s
    }
}
