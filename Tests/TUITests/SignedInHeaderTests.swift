import Client
import Foundation
import LLMTraceModel
import Testing

@testable import TUI

/// The header of a TUI signed in to a team server: who, which teams, an ended session, budget alerts.
@Suite struct SignedInHeaderTests {
    static let alice = AccountIdentity(
        user: Account(id: "u1", email: "alice@example.com", name: "Alice"),
        teams: [
            AccountTeam(id: "t1", slug: "alpha", name: "Alpha", role: "admin"), AccountTeam(id: "t2", slug: "beta", name: "Beta", role: "member"),
        ]
    )

    static func alert(_ message: String) -> BudgetAlert {
        BudgetAlert(
            rule: BudgetRule(id: "r1", scope: .team, scopeId: "t1", window: .day, limitUsd: 10),
            teamId: "t1",
            envId: nil,
            spentUsd: 12.4,
            windowStart: Fixtures.base,
            at: Fixtures.base,
            message: message
        )
    }

    @Test func theHeaderShowsWhoIsSignedInAndTheirTeams() throws {
        var state = Fixtures.state(count: 2, width: 160)
        state.send(.connection(.live))
        #expect(!state.frame().row(0).contains("@"))  // standalone: no account
        state.send(.signedIn(Self.alice))
        let row = state.frame().row(0)
        #expect(row.contains("alice@example.com · alpha (admin), beta (member)"), "\(row)")
        // Before the server label's end and the screen tabs, on one line.
        let x = try #require(state.frame().column(of: "alice@", inRow: 0))
        #expect(x > (state.frame().column(of: "live", inRow: 0) ?? .max))
        #expect(state.frame()[x, 0].style == state.theme.headerBar)
        // A system administrator without teams says so.
        state.send(.signedIn(AccountIdentity(user: Account(id: "u0", email: "root@example.com", systemAdmin: true), teams: [])))
        #expect(state.frame().row(0).contains("root@example.com · system administrator"))
    }

    @Test func anEndedSessionSaysHowToSignInAgainUntilItIsBack() throws {
        var state = Fixtures.state(count: 2, width: 160)
        state.send(.signedIn(Self.alice))
        let message = ClientError.sessionEnded(server: "http://127.0.0.1:8080", signIn: "llmtrace login --server http://127.0.0.1:8080")
            .description
        state.send(.connection(.offline(reason: message)))
        state.send(.signInNeeded(message))
        let frame = state.frame()
        #expect(frame.row(0).contains("✕ not signed in") && !frame.row(0).contains("alice@"))
        let y = try #require(frame.rowIndex(containing: "sign in again with: llmtrace login --server http://127.0.0.1:8080"))
        #expect(frame.row(y).contains("your session for http://127.0.0.1:8080 has ended"))
        #expect(frame[1, y].style == state.theme.statusError)
        // It outlasts ordinary status messages' few seconds, and goes once the stream is live again.
        state.send(.tick(Fixtures.base.addingTimeInterval(3600)))
        #expect(state.frame().rowIndex(containing: "sign in again with") != nil)
        state.send(.connection(.live))
        state.send(.signedIn(Self.alice))
        #expect(state.frame().rowIndex(containing: "sign in again with") == nil)
        #expect(state.frame().row(0).contains("alice@example.com"))
    }

    @Test func theLatestBudgetAlertIsShownInTheHeader() throws {
        var state = Fixtures.state(count: 2, width: 160)
        state.send(.event(.alert(Self.alert("team alpha spent $9.10 today, over its $9.00 daily budget"))))
        state.send(.event(.alert(Self.alert("team alpha spent $12.40 today, over its $10.00 daily budget"))))
        let frame = state.frame()
        let row = frame.row(1)
        #expect(row.contains("⚠ team alpha spent $12.40 today, over its $10.00 daily budget"), "\(row)")
        #expect(!row.contains("$9.10"))
        #expect(row.contains("2 requests"))
        let x = try #require(frame.column(of: "team alpha", inRow: 1))
        #expect(frame[x, 1].style == state.theme.warning)
        // A narrow terminal cuts the message rather than the totals.
        let narrow = state.frame(60, 24).row(1)
        #expect(narrow.contains("2 requests") && narrow.contains("⚠ team alpha"))
        #expect(TextMeasure.width(narrow) <= 60)
    }
}
