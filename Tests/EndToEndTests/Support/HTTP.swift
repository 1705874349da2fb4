import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Small helpers over AsyncHTTPClient for the end-to-end tests.
enum HTTP {
    /// A client that leaves content codings alone, so tests see the bytes on the wire.
    static let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(decompression: .disabled))

    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> [String: Any] {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
                throw ProcessFailure("HTTP \(status) reply is not a JSON object: \(text.prefix(300))")
            }
            return object
        }
    }

    /// `timeout` bounds the whole exchange: a guard against a hang, not a measure of speed.
    static func send(
        _ url: String,
        method: HTTPMethod = .GET,
        headers: [(String, String)] = [],
        body: [UInt8]? = nil,
        timeout: TimeAmount = .seconds(30)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (n, v) in headers { request.headers.add(name: n, value: v) }
        if let body { request.body = .bytes(body) }
        let response = try await client.execute(request, timeout: timeout)
        var collected = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: collected.readBytes(length: collected.readableBytes) ?? [])
    }

    /// Polls `GET url` until `condition` holds on the JSON reply (records are saved off the request path).
    static func eventually(
        _ url: String,
        headers: [(String, String)] = [],
        timeout: Duration = .seconds(5),
        _ condition: ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        var last: [String: Any] = [:]
        while ContinuousClock.now < deadline {
            let reply = try await send(url, headers: headers)
            if reply.status == 200, let json = try? reply.json() {
                last = json
                if condition(json) { return json }
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw ProcessFailure("condition not met for \(url) within \(timeout); last reply: \(last)")
    }

    /// The first event (`event: …\ndata: …`) of `GET url` as an event stream resumed from `lastEventID`,
    /// or `nil` when the stream ends first.
    static func firstEvent(_ url: String, lastEventID: String) async throws -> String? {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "last-event-id", value: lastEventID)
        let response = try await client.execute(request, timeout: .seconds(30))
        var text = ""
        for try await chunk in response.body {
            text += String(buffer: chunk)
            // Comments (`: ping`) and the stream's opening lines are skipped.
            for block in text.components(separatedBy: "\n\n") where block.contains("event: ") {
                return block.components(separatedBy: "\n").drop { !$0.hasPrefix("event: ") }.joined(separator: "\n")
            }
        }
        return nil
    }
}
