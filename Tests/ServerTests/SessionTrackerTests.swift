import Foundation
import Testing

@testable import LLMTraceModel
@testable import Server

/// Session grouping: agent loops, forks, identical prompts, envs, named sessions, key order, forgetting.
@Suite struct SessionTrackerTests {
    /// A chat request body with `messages` (OpenAI's shape).
    static func body(_ messages: [[String: Any]], extra: [String: Any] = [:]) -> [UInt8] {
        var top = extra
        top["model"] = "gpt-4o"
        top["messages"] = messages
        return Array((try? JSONSerialization.data(withJSONObject: top, options: [.sortedKeys])) ?? Data())
    }

    /// Tells `tracker` that `id` was answered with `text` and tool calls `calls`.
    static func answer(_ tracker: SessionTracker, _ id: String, text: String? = nil, calls: [String] = []) {
        var s = TraceSummary(id: id, env: "dev", method: "POST", scheme: "https", host: "h", path: "/", startedAt: Date())
        s.text = text
        s.toolCalls = calls.map { ToolCall(id: $0, name: "read_file", arguments: "{}", type: "function") }
        tracker.finished(TraceRecord(summary: s))
    }

    @Test func anAgentLoopOfThirtyTurnsIsOneSession() throws {
        let tracker = SessionTracker()
        var messages: [[String: Any]] = [["role": "system", "content": "agent"], ["role": "user", "content": "go"]]
        for turn in 1...30 {
            let id = "r\(turn)"
            let a = try #require(tracker.assign(recordID: id, env: "dev", named: nil, body: Self.body(messages)))
            #expect(a == SessionTracker.Assignment(sessionId: "r1", turn: turn))
            Self.answer(tracker, id, calls: ["call_\(turn)"])
            messages.append([
                "role": "assistant", "content": NSNull(),
                "tool_calls": [["id": "call_\(turn)", "type": "function", "function": ["name": "read_file", "arguments": "{}"]]],
            ])
            messages.append(["role": "tool", "tool_call_id": "call_\(turn)", "content": "file \(turn)"])
        }
    }

    @Test func twoConversationsWithTheSameStartAreToldApartByTheirAnswers() throws {
        let tracker = SessionTracker()
        let start: [[String: Any]] = [["role": "user", "content": "Name a city."]]
        let a = try #require(tracker.assign(recordID: "a1", env: "dev", named: nil, body: Self.body(start)))
        let b = try #require(tracker.assign(recordID: "b1", env: "dev", named: nil, body: Self.body(start)))
        #expect(a.sessionId == "a1" && b.sessionId == "b1")
        Self.answer(tracker, "a1", text: "Paris")
        Self.answer(tracker, "b1", text: " Lyon\n")
        let nextA = start + [["role": "assistant", "content": "Paris"], ["role": "user", "content": "Why?"]]
        let nextB = start + [["role": "assistant", "content": [["type": "text", "text": "Lyon"]]], ["role": "user", "content": "Why?"]]
        #expect(tracker.assign(recordID: "b2", env: "dev", named: nil, body: Self.body(nextB)) == .init(sessionId: "b1", turn: 2))
        #expect(tracker.assign(recordID: "a2", env: "dev", named: nil, body: Self.body(nextA)) == .init(sessionId: "a1", turn: 2))
    }

    @Test func identicalPromptsOtherEnvsAndOtherSystemPromptsStartNewSessions() throws {
        let tracker = SessionTracker()
        let prompt: [[String: Any]] = [["role": "system", "content": "s"], ["role": "user", "content": "hi"]]
        let first = tracker.assign(recordID: "x1", env: "dev", named: nil, body: Self.body(prompt))
        #expect(tracker.assign(recordID: "x2", env: "dev", named: nil, body: Self.body(prompt))?.sessionId == "x2")
        #expect(first?.sessionId == "x1")
        let next = prompt + [["role": "assistant", "content": "hello"], ["role": "user", "content": "more"]]
        #expect(tracker.assign(recordID: "p1", env: "prod", named: nil, body: Self.body(next))?.sessionId == "p1")
        var otherSystem = next
        otherSystem[0] = ["role": "system", "content": "t"]
        #expect(tracker.assign(recordID: "o1", env: "dev", named: nil, body: Self.body(otherSystem))?.sessionId == "o1")
        // Not a chat request: no session.
        #expect(tracker.assign(recordID: "e1", env: "dev", named: nil, body: Array(#"{"input":"embed me","model":"e"}"#.utf8)) == nil)
        #expect(tracker.assign(recordID: "e2", env: "dev", named: nil, body: Array("not json".utf8)) == nil)
    }

    @Test func keyOrderAndNumberSpellingDoNotBreakAConversation() throws {
        let tracker = SessionTracker()
        _ = tracker.assign(recordID: "k1", env: "dev", named: nil, body: Array(#"{"messages":[{"role":"user","content":"hi","n":1.0}]}"#.utf8))
        let next = #"{"messages":[{"n":1,"content":"hi","role":"user"},{"content":"yo","role":"assistant"},{"role":"user","content":"ok"}]}"#
        #expect(tracker.assign(recordID: "k2", env: "dev", named: nil, body: Array(next.utf8)) == .init(sessionId: "k1", turn: 2))
    }

    @Test func anthropicAndGeminiConversationsAreFollowed() throws {
        let tracker = SessionTracker()
        let anthropic = #"{"system":[{"type":"text","text":"be brief"}],"messages":[{"role":"user","content":"hi"}]}"#
        _ = tracker.assign(recordID: "an1", env: "dev", named: nil, body: Array(anthropic.utf8))
        Self.answer(tracker, "an1", calls: ["toolu_1"])
        let anthropic2 =
            #"{"system":[{"type":"text","text":"be brief"}],"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"42"}]}]}"#
        #expect(tracker.assign(recordID: "an2", env: "dev", named: nil, body: Array(anthropic2.utf8)) == .init(sessionId: "an1", turn: 2))
        let gemini = #"{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}"#
        _ = tracker.assign(recordID: "g1", env: "dev", named: nil, body: Array(gemini.utf8))
        let gemini2 =
            #"{"contents":[{"role":"user","parts":[{"text":"hi"}]},{"role":"model","parts":[{"text":"hello"}]},{"role":"user","parts":[{"text":"bye"}]}]}"#
        #expect(tracker.assign(recordID: "g2", env: "dev", named: nil, body: Array(gemini2.utf8)) == .init(sessionId: "g1", turn: 2))
    }

    @Test func namedSessionsCountTheirTurnsPerEnv() {
        let tracker = SessionTracker()
        #expect(tracker.assign(recordID: "1", env: "dev", named: "run-1", body: []) == .init(sessionId: "run-1", turn: 1))
        #expect(
            tracker.assign(recordID: "2", env: "dev", named: "run-1", body: Self.body([["role": "user", "content": "x"]]))
                == .init(sessionId: "run-1", turn: 2)
        )
        #expect(tracker.assign(recordID: "3", env: "prod", named: "run-1", body: []) == .init(sessionId: "run-1", turn: 1))
        #expect(tracker.assign(recordID: "4", env: "dev", named: "run-1", body: []) == .init(sessionId: "run-1", turn: 3))
    }

    @Test func whatIsRememberedIsBounded() throws {
        let tracker = SessionTracker(capacity: 16)
        let start: [[String: Any]] = [["role": "user", "content": "first"]]
        _ = tracker.assign(recordID: "old", env: "dev", named: nil, body: Self.body(start))
        for i in 0..<40 {
            _ = tracker.assign(recordID: "n\(i)", env: "dev", named: nil, body: Self.body([["role": "user", "content": "other \(i)"]]))
        }
        let next = start + [["role": "assistant", "content": "a"], ["role": "user", "content": "b"]]
        // Forgotten: the continuation starts a session of its own.
        #expect(tracker.assign(recordID: "late", env: "dev", named: nil, body: Self.body(next))?.sessionId == "late")
        // The newest are still followed.
        let recent: [[String: Any]] = [
            ["role": "user", "content": "other 39"], ["role": "assistant", "content": "a"], ["role": "user", "content": "b"],
        ]
        #expect(tracker.assign(recordID: "n40", env: "dev", named: nil, body: Self.body(recent))?.sessionId == "n39")
    }
}
