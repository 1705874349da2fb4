import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import LLMTraceModel
@testable import Server

/// llmtrace in shared mode, built in process as `llmtrace serve --mode shared` builds it, on a fresh
/// PostgreSQL schema or MySQL database, with a bootstrapped system administrator `root@example.com`.
struct SharedTestApp: Sendable {
    let components: ServerComponents
    let client: any TestClientProtocol

    static let rootEmail = "root@example.com"
    static let rootPassword = "root-password"

    /// The test server's URL of `kind` as text (with its password), pointing at a fresh schema / database.
    static func freshURL(_ kind: StoreConformanceTests.Kind) async throws -> (String, @Sendable () async throws -> Void) {
        let (url, dispose) = try await AdminStoreTests.freshDatabase(kind)
        switch kind {
        case .postgres:
            let base = try #require(conformancePostgresURL)
            return (base + (base.contains("?") ? "&" : "?") + "schema=\(url.schema ?? "public")", dispose)
        default:
            let base = try #require(conformanceMySQLURL)
            let (head, query) = base.firstIndex(of: "?").map { (base[..<$0], base[$0...]) } ?? (base[...], "")
            let stem = head[..<(head.lastIndex(of: "/") ?? head.endIndex)]
            return ("\(stem)/\(url.database)\(query)", dispose)
        }
    }

    /// Runs `body` against a fresh app. `trustedProxies` is `--trusted-proxy`; `testing` is HummingbirdTesting's
    /// setup (`.live` for a real connection from 127.0.0.1, which `.router` lacks).
    static func with(
        _ kind: StoreConformanceTests.Kind,
        trustedProxies: [IPNetwork] = [],
        testing: TestingSetup = .router,
        _ body: @Sendable (SharedTestApp) async throws -> Void
    ) async throws {
        let logger = Logger(label: "shared-test")
        let (url, dispose) = try await freshURL(kind)
        var configuration = ServerConfiguration()
        configuration.mode = "shared"
        configuration.database = url
        configuration.socketPath = nil
        configuration.bcryptCost = 4
        configuration.bootstrapEmail = rootEmail
        configuration.bootstrapPassword = rootPassword
        configuration.databasePoolSize = 4
        let components = try await ServerComponents.open(configuration, logger: logger)
        let router = LLMTraceServer.buildRouter(
            api: components.api,
            password: nil,
            webRoot: nil,
            logger: logger,
            admin: components.admin,
            metrics: components.metrics
        )
        let application = LLMTraceServer.buildApplication(
            responder: RootResponder(proxy: components.proxy, api: router.buildResponder(), trustedProxies: trustedProxies),
            address: .hostname("127.0.0.1", port: 0),
            logger: logger
        )
        do {
            try await application.test(testing) { client in try await body(SharedTestApp(components: components, client: client)) }
        } catch {
            await components.close(logger: logger)
            try? await dispose()
            throw error
        }
        await components.close(logger: logger)
        try await dispose()
    }

    /// An answer: status, headers and the body as JSON (`nil` when empty or not JSON).
    struct Answer {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var json: Any?

        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var errorType: String? { (object["error"] as? [String: Any])?["type"] as? String }
        var errorMessage: String? { (object["error"] as? [String: Any])?["message"] as? String }
        var items: [[String: Any]] { object["items"] as? [[String: Any]] ?? [] }
        func string(_ key: String) -> String? { object[key] as? String }
    }

    /// Calls `path` with `method`, `token` as Bearer, and `body` as JSON.
    @discardableResult
    func call(
        _ method: HTTPRequest.Method,
        _ path: String,
        token: String? = nil,
        body: [String: Any]? = nil,
        headers: HTTPFields = [:]
    ) async throws
        -> Answer
    {
        var fields = headers
        if let token { fields[.authorization] = "Bearer \(token)" }
        var buffer: ByteBuffer?
        if let body {
            fields[.contentType] = "application/json"
            buffer = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body))
        }
        let response = try await client.execute(uri: path, method: method, headers: fields, body: buffer)
        let text = String(buffer: response.body)
        let json = text.isEmpty ? nil : try? JSONSerialization.jsonObject(with: Data(text.utf8))
        return Answer(status: response.status, headers: response.headers, json: json)
    }

    /// Signs in; returns the login answer's object.
    func login(_ email: String, _ password: String) async throws -> [String: Any] {
        let answer = try await call(.post, "/admin/login", body: ["email": email, "password": password])
        #expect(answer.status == .ok, "login of \(email): \(answer.object)")
        return answer.object
    }

    /// An access token for `email`.
    func token(_ email: String, _ password: String) async throws -> String {
        try #require(try await login(email, password)["accessToken"] as? String)
    }

    /// The root administrator's access token.
    func rootToken() async throws -> String { try await token(Self.rootEmail, Self.rootPassword) }

    /// Creates a team as `token`'s user; returns its id.
    func createTeam(_ slug: String, token: String) async throws -> String {
        let answer = try await call(.post, "/admin/teams", token: token, body: ["slug": slug, "name": slug.capitalized])
        #expect(answer.status == .created, "\(answer.object)")
        return try #require(answer.string("id"))
    }

    /// Invites `email` into `team` with `role` as `token`'s user, accepts with `password`; returns the
    /// new user's id and access token.
    func invite(_ email: String, to team: String, role: String, password: String, token: String) async throws -> (id: String, token: String) {
        let added = try await call(.post, "/admin/teams/\(team)/users", token: token, body: ["email": email, "role": role])
        #expect(added.status == .created, "\(added.object)")
        let invite = try #require(added.object["invite"] as? [String: Any])
        let inviteToken = try #require(invite["token"] as? String)
        let accepted = try await call(.post, "/admin/invites/accept", body: ["token": inviteToken, "password": password])
        #expect(accepted.status == .ok, "\(accepted.object)")
        let user = try #require(accepted.object["user"] as? [String: Any])
        return (try #require(user["id"] as? String), try #require(accepted.string("accessToken")))
    }
}
