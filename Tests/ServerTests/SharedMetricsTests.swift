import Foundation
import Testing

@testable import Server

/// `/metrics` in shared mode: the figures cover every team, so only a system administrator's token reads them.
@Suite(.enabled(if: !adminKinds.isEmpty, "neither LLMTRACE_TEST_POSTGRES_URL nor LLMTRACE_TEST_MYSQL_URL is set: shared-mode metrics tests skipped"))
struct SharedMetricsTests {
    @Test(arguments: adminKinds) func onlyASystemAdministratorReadsMetrics(kind: StoreConformanceTests.Kind) async throws {
        try await SharedTestApp.with(kind) { app in
            let root = try await app.rootToken()
            let team = try await app.createTeam("alpha", token: root)
            let owner = try await app.invite("olga@example.com", to: team, role: "owner", password: "olga-password", token: root)
            let none = try await app.call(.get, "/metrics")
            #expect(none.status == .unauthorized && none.errorType == "unauthenticated")
            let teamOwner = try await app.call(.get, "/metrics", token: owner.token)
            #expect(teamOwner.status == .forbidden && teamOwner.errorType == "forbidden")
            let admin = try await app.client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(root)"])
            #expect(admin.status == .ok)
            #expect(String(buffer: admin.body).contains("llmtrace_capture_queue_depth"))
        }
    }
}
