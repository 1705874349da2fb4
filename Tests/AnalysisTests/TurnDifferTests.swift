import Foundation
import Testing

@testable import Analysis
@testable import LLMTraceModel

/// The turn-by-turn diff: appended messages, a rewritten history, system prompt, tools and parameters,
/// in every provider's shape, and a 200 KB conversation.
@Suite struct TurnDifferTests {
    static func json(_ object: [String: Any]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }

    @Test func appendedMessagesAreAddedAndNothingElseChanged() {
        let before: [String: Any] = [
            "model": "gpt-4o", "temperature": 0.5,
            "messages": [["role": "system", "content": "sys"], ["role": "user", "content": "list files"]],
            "tools": [["type": "function", "function": ["name": "ls"]]],
        ]
        var after = before
        after["messages"] =
            (before["messages"] as? [[String: Any]] ?? []) + [
                [
                    "role": "assistant", "content": NSNull(),
                    "tool_calls": [["id": "c1", "type": "function", "function": ["name": "ls", "arguments": #"{"dir":"."}"#]]],
                ],
                ["role": "tool", "tool_call_id": "c1", "content": "a.txt b.txt"],
            ]
        let diff = TurnDiffer.diff(id: "2", current: Self.json(after), previousId: "1", previous: Self.json(before))
        #expect(diff.commonMessages == 2)
        #expect(diff.added == [.init(index: 2, role: "assistant", text: #"→ ls({"dir":"."})"#), .init(index: 3, role: "tool", text: "a.txt b.txt")])
        #expect(diff.removed.isEmpty && diff.system == nil && diff.parameters.isEmpty)
        #expect(diff.onlyAppended)
    }

    @Test func aRewrittenHistoryChangedSystemToolsAndParametersAreReported() {
        let before: [String: Any] = [
            "model": "claude-sonnet-4-5", "max_tokens": 1024, "system": "You are terse.",
            "messages": [
                ["role": "user", "content": "hi"], ["role": "assistant", "content": [["type": "text", "text": "hello"]]],
                ["role": "user", "content": "long story"],
            ],
            "tools": [["name": "search", "input_schema": ["type": "object"]], ["name": "old", "input_schema": [:] as [String: Any]]],
        ]
        let after: [String: Any] = [
            "model": "claude-haiku-4-5", "max_tokens": 1024, "system": "You are verbose.", "stream": true,
            "messages": [["role": "user", "content": "hi"], ["role": "user", "content": "summary of the story"]],
            "tools": [
                ["name": "search", "input_schema": ["type": "object", "required": ["q"]]], ["name": "new", "input_schema": [:] as [String: Any]],
            ],
        ]
        let diff = TurnDiffer.diff(id: "2", current: Self.json(after), previousId: "1", previous: Self.json(before))
        #expect(diff.commonMessages == 1)
        #expect(diff.removed.map(\.text) == ["hello", "long story"])
        #expect(diff.added.map(\.text) == ["summary of the story"])
        #expect(diff.system == TurnDiff.Change(before: "You are terse.", after: "You are verbose."))
        #expect(diff.toolsAdded == ["new"] && diff.toolsRemoved == ["old"] && diff.toolsChanged == ["search"])
        #expect(
            diff.parameters == [
                .init(name: "model", before: #""claude-sonnet-4-5""#, after: #""claude-haiku-4-5""#),
                .init(name: "stream", before: "null", after: "true"),
            ]
        )
        #expect(!diff.onlyAppended)
    }

    @Test func withoutAPreviousTurnEverythingIsAdded() {
        let body = Self.json([
            "contents": [
                ["role": "user", "parts": [["text": "hi"]]], ["role": "model", "parts": [["functionCall": ["name": "f", "args": ["x": 1]]]]],
            ]
        ])
        let diff = TurnDiffer.diff(id: "1", current: body, previousId: nil, previous: nil)
        #expect(diff.previousId == nil && diff.commonMessages == 0)
        #expect(diff.added == [.init(index: 0, role: "user", text: "hi"), .init(index: 1, role: "model", text: #"→ f({"x":1})"#)])
        // Not JSON: an empty diff, not a failure.
        #expect(TurnDiffer.diff(id: "x", current: Array("garbage".utf8), previousId: "y", previous: []).added.isEmpty)
    }

    @Test func aTwoHundredKilobyteConversationDiffsExactly() {
        let paragraph = String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 20)
        var messages: [[String: Any]] = [["role": "system", "content": paragraph]]
        while (try? JSONSerialization.data(withJSONObject: ["messages": messages]))?.count ?? 0 < 200_000 {
            messages.append(["role": messages.count % 2 == 1 ? "user" : "assistant", "content": "\(messages.count): " + paragraph])
        }
        let before = Self.json(["model": "gpt-4o", "messages": messages])
        let after = Self.json(["model": "gpt-4o", "messages": messages + [["role": "user", "content": "and now?"]]])
        #expect(before.count > 200_000)
        let diff = TurnDiffer.diff(id: "2", current: after, previousId: "1", previous: before)
        #expect(diff.commonMessages == messages.count)
        #expect(diff.added == [.init(index: messages.count, role: "user", text: "and now?")])
        #expect(diff.onlyAppended)
    }
}
