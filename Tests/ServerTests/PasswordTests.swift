import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import LLMTraceModel
@testable import Server

/// `--password`: the `/api` and `/cgi-bin` router groups need it, the web panel's files and the proxy do not.
@Suite struct PasswordTests {
    /// A password with a colon, which HTTP Basic must keep (only the first colon ends the user name).
    static let password = "hunter2-long:password"
    static let unauthorizedBody =
        #"{"error":{"message":"this llmtrace server needs its password: send 'Authorization: Bearer <password>' or HTTP Basic auth","type":"unauthorized"}}"#
    static let invite = #"Basic realm="llmtrace", charset="UTF-8""#

    static func basic(_ credentials: String) -> String { "Basic " + Data(credentials.utf8).base64EncodedString() }

    @Test func noCredentialsGet401WithTheBodyAndAnInvitationToBasic() async throws {
        try await APITestApp.with(password: Self.password) { _, client in
            let response = try await client.execute(uri: "/api/requests", method: .get)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            #expect(response.text == Self.unauthorizedBody)
            #expect(response.headers[.wwwAuthenticate] == Self.invite)
        }
    }

    @Test(arguments: [
        ("authorization", "Bearer wrong"),
        ("authorization", "Bearer hunter2-long"),
        ("authorization", "Bearer hunter2-long:password!"),
        ("authorization", "Token hunter2-long:password"),
        ("authorization", "Bearer"),
        ("authorization", PasswordTests.basic("me:wrong")),
        ("authorization", PasswordTests.basic("no colon at all")),
        ("authorization", "Basic !!not-base64!!"),
    ])
    func wrongCredentialsGet401WithoutTheInvitation(name: String, value: String) async throws {
        try await APITestApp.with(password: Self.password) { _, client in
            let headers: HTTPFields = [try #require(HTTPField.Name(name)): value]
            let response = try await client.execute(uri: "/api/requests", method: .get, headers: headers)
            #expect(response.status == .unauthorized)
            #expect(response.text == Self.unauthorizedBody)
            #expect(response.headers[.wwwAuthenticate] == nil)
        }
    }

    @Test func aWrongTokenOrAnEventStreamIsNotInvitedToBasic() async throws {
        try await APITestApp.with(password: Self.password) { _, client in
            let token = try await client.execute(uri: "/api/requests?token=wrong", method: .get)
            #expect(token.status == .unauthorized)
            #expect(token.headers[.wwwAuthenticate] == nil)
            // An EventSource sends no credentials; the page, not the browser's login box, must handle the 401.
            let events = try await client.execute(uri: "/api/events", method: .get, headers: [.accept: "text/event-stream"])
            #expect(events.status == .unauthorized)
            #expect(events.text == Self.unauthorizedBody)
            #expect(events.headers[.wwwAuthenticate] == nil)
        }
    }

    @Test func bearerBasicWithAnyUserAndTheTokenAreAccepted() async throws {
        try await APITestApp.with(password: Self.password) { app, client in
            await app.save(APITestApp.records(2))
            let accepted: [(String, HTTPFields)] = [
                ("/api/requests", [.authorization: "Bearer \(Self.password)"]),
                ("/api/requests", [.authorization: "bearer \(Self.password)"]),
                ("/api/requests", [.authorization: Self.basic("me:\(Self.password)")]),
                ("/api/requests", [.authorization: Self.basic(":\(Self.password)")]),
                ("/api/requests?token=\(Self.password)", [:]),
                ("/cgi-bin/requests", [.authorization: Self.basic("anyone:\(Self.password)")]),
            ]
            for (uri, headers) in accepted {
                let response = try await client.execute(uri: uri, method: .get, headers: headers)
                #expect(response.status == .ok, "\(uri) \(headers)")
                #expect(try response.decode(Page.self).items.count == 2)
            }
            let stats = try await client.execute(uri: "/api/stats", method: .get, headers: [.authorization: "Bearer \(Self.password)"])
            #expect(try stats.decode(Stats.self).totalRequests == 2)
        }
    }

    @Test func everyAPIAndCGIRouteIsGuardedAndNothingHappensWithoutThePassword() async throws {
        try await APITestApp.with(password: Self.password) { app, client in
            await app.save(APITestApp.records(3))
            let guarded: [(String, HTTPRequest.Method)] = [
                ("/api/requests", .get), ("/api/requests/\(StoreTests.record(0).id)", .get), ("/api/requests", .delete),
                ("/api/stats", .get), ("/api/timeseries", .get), ("/api/cost-estimate?model=gpt-4o", .get),
                ("/api/health", .get), ("/api/events", .get),
                ("/cgi-bin/requests", .get), ("/cgi-bin/request/\(StoreTests.record(0).id)", .get), ("/cgi-bin/clear", .post),
            ]
            for (uri, method) in guarded {
                let response = try await client.execute(uri: uri, method: method)
                #expect(response.status == .unauthorized, "\(method) \(uri)")
                #expect(response.text == Self.unauthorizedBody)
            }
            #expect(try await app.components.store.count() == 3)
        }
    }

    @Test func aPathNoRouteHasStillNeedsThePasswordBeforeIts404() async throws {
        try await APITestApp.with(password: Self.password) { _, client in
            let anonymous = try await client.execute(uri: "/api/nope", method: .get)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate] == Self.invite)
            #expect(try await client.execute(uri: "/cgi-bin/nope/deeper", method: .post).status == .unauthorized)
            let known = try await client.execute(uri: "/api/nope", method: .get, headers: [.authorization: "Bearer \(Self.password)"])
            #expect(known.status == .notFound)
        }
    }

    @Test func theWebPanelsFilesAndTheProxyArePublic() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("llmtrace-web-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try Data("<h1>llmtrace panel</h1>".utf8).write(to: root.appendingPathComponent("index.html"))
        try Data("body {}".utf8).write(to: root.appendingPathComponent("style.css"))

        try await APITestApp.with(password: Self.password, webRoot: root.path) { _, client in
            let index = try await client.execute(uri: "/", method: .get)
            #expect(index.status == .ok)
            #expect(index.text == "<h1>llmtrace panel</h1>")
            let css = try await client.execute(uri: "/style.css", method: .get)
            #expect(css.status == .ok)
            #expect(css.text == "body {}")
            #expect(try await client.execute(uri: "/missing.js", method: .get).status == .notFound)
            // The panel's files do not open the API.
            #expect(try await client.execute(uri: "/api/requests", method: .get).status == .unauthorized)

            let proxied = try await client.execute(uri: "/proxy/dev/ftp/example.com/v1", method: .post)
            #expect(proxied.status == .badRequest)
            #expect(try proxied.decode(ErrorBody.self).error.type == "invalid_proxy_route")
        }
    }

    @Test func theComparisonIsExact() {
        #expect(PasswordMiddleware<AppRequestContext>.constantTimeEqual("secret", "secret"))
        #expect(PasswordMiddleware<AppRequestContext>.constantTimeEqual("", ""))
        #expect(!PasswordMiddleware<AppRequestContext>.constantTimeEqual("secret", "secreT"))
        #expect(!PasswordMiddleware<AppRequestContext>.constantTimeEqual("secret", "secret\0"))
        #expect(!PasswordMiddleware<AppRequestContext>.constantTimeEqual("secret", "secre"))
        #expect(!PasswordMiddleware<AppRequestContext>.constantTimeEqual("", "x"))
    }
}
