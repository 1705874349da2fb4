import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import LLMTraceModel
@testable import Server

/// llmtrace's application built in process the way `llmtrace serve` builds it (``ServerComponents``,
/// `buildRouter`, `buildApplication`) over a memory store, for HummingbirdTesting's `.router` tests.
struct APITestApp: Sendable {
    let components: ServerComponents
    let application: Application<RootResponder>

    /// Runs `body` against a fresh app, then closes it (the pipeline, the upstream client, the store).
    static func with(
        password: String? = nil,
        webRoot: String? = nil,
        metricsPublic: Bool = false,
        _ body: @Sendable (APITestApp, any TestClientProtocol) async throws -> Void
    ) async throws {
        let logger = Logger(label: "api-test")
        var configuration = ServerConfiguration()
        configuration.password = password
        configuration.webRoot = webRoot
        configuration.metricsPublic = metricsPublic
        configuration.socketPath = nil
        let components = try await ServerComponents.open(configuration, logger: logger)
        let router = LLMTraceServer.buildRouter(
            api: components.api,
            password: password,
            webRoot: webRoot,
            logger: logger,
            metrics: components.metrics
        )
        let application = LLMTraceServer.buildApplication(
            responder: RootResponder(proxy: components.proxy, api: router.buildResponder()),
            address: .hostname("127.0.0.1", port: 0),
            logger: logger
        )
        let app = APITestApp(components: components, application: application)
        do {
            try await application.test(.router) { client in try await body(app, client) }
        } catch {
            await components.close(logger: logger)
            throw error
        }
        await components.close(logger: logger)
    }

    /// Captures `records` the way the proxy does (through the pipeline) and waits until the store has them.
    func save(_ records: [TraceRecord]) async {
        for record in records { components.pipeline.submit(record) }
        await components.pipeline.flush()
    }

    /// `count` records, one second apart: `i` even in env `dev`, odd in `prod`; every third with status 500.
    static func records(_ count: Int) -> [TraceRecord] {
        (0..<count).map { i in
            StoreTests.record(i, env: i % 2 == 0 ? "dev" : "prod", model: i % 2 == 0 ? "gpt-4o" : "claude-sonnet-4-5", status: i % 3 == 2 ? 500 : 200)
        }
    }
}

extension TestResponse {
    /// The body as text.
    var text: String { String(buffer: body) }

    /// The body decoded with llmtrace's decoder.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONCoding.makeDecoder().decode(T.self, from: Data(text.utf8))
    }

    /// The body as a JSON object.
    func object() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}
