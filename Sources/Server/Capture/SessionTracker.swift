import Analysis
import Foundation
import LLMTraceModel
import Synchronization

/// Puts exchanges in sessions and numbers their turns, in memory.
///
/// - A session the client names (``ProxyRoute/session``: the `x-llmtrace-session` header or
///   `/proxy/{env}+{session}/…`) is used as given; its turns are counted from 1.
/// - Otherwise a chat request continues the conversation of an earlier request of the same env whose
///   system prompt and messages it repeats and extends (the longest such earlier request; when several
///   requests sent the same messages, the one whose answer the request repeats as its assistant message,
///   matched by text or tool call ids). It then takes that session and the next turn.
/// - A chat request that continues none starts a session named after its own record id, as turn 1.
/// - A replay (`x-llmtrace-replay-of`) joins no session unless it names one: it repeats a turn's
///   messages, an experiment on that turn rather than another turn of the run.
///
/// What it remembers is bounded (``capacity`` requests and named sessions, the oldest forgotten
/// first), and lost on restart: a conversation that goes on after a restart starts a new session. In
/// shared mode each node groups what it proxies; a named session groups across nodes.
public final class SessionTracker: Sendable {
    /// Where an exchange was put.
    public struct Assignment: Sendable, Equatable {
        public var sessionId: String
        public var turn: Int
    }

    /// One earlier request that a later one may continue.
    struct Candidate {
        var recordID: String
        var sessionID: String
        var turn: Int
        /// What it was answered, once it finished: a hash of the text (the answers of thousands of requests
        /// are not kept) and the tool call ids.
        var answer: Answer?
        /// When it was last registered or continued (for eviction).
        var stamp: UInt64
    }

    struct Answer {
        var textHash: Int
        var toolCallIDs: [String]

        init(text: String, toolCallIDs: [String]) {
            textHash = text.hashValue
            self.toolCallIDs = toolCallIDs
        }
    }

    private struct State {
        /// Earlier requests by the hash of their whole conversation (the newest last, a few per hash).
        var byConversation: [Int: [Candidate]] = [:]
        /// The conversation hash of each remembered record, to attach its answer.
        var conversationOf: [String: Int] = [:]
        /// The last turn of each named session (keyed by env and name).
        var namedTurns: [String: (turn: Int, stamp: UInt64)] = [:]
        var clock: UInt64 = 0
        /// Every registration, oldest first, for eviction: (hash or nil for a named session, key, stamp).
        var order: [(hash: Int?, key: String, stamp: UInt64)] = []
        var orderStart = 0
    }

    /// The most conversations (and named sessions) remembered.
    public let capacity: Int
    /// Candidates kept per conversation hash (identical requests sent several times).
    static let perHash = 8
    private let state = Mutex(State())

    public init(capacity: Int = 20_000) {
        self.capacity = max(16, capacity)
    }

    /// Puts the exchange `recordID` of `env` in a session: `named` when the client named one, else by
    /// the conversation in `body`. `nil` when it names none and carries no conversation, or is a replay.
    public func assign(recordID: String, env: String, named: String?, isReplay: Bool = false, body: [UInt8]) -> Assignment? {
        if let named { return assignNamed(named, env: env) }
        guard !isReplay, let conversation = Conversation(env: env, body: body) else { return nil }
        return assign(recordID: recordID, conversation: conversation)
    }

    func assignNamed(_ name: String, env: String) -> Assignment {
        let key = env + "\u{0}" + name
        return state.withLock { s in
            s.clock += 1
            let turn = (s.namedTurns[key]?.turn ?? 0) + 1
            s.namedTurns[key] = (turn, s.clock)
            s.order.append((nil, key, s.clock))
            evict(&s)
            return Assignment(sessionId: name, turn: turn)
        }
    }

    func assign(recordID: String, conversation c: Conversation) -> Assignment {
        guard let whole = c.prefixHashes.last else { return Assignment(sessionId: recordID, turn: 1) }
        return state.withLock { s in
            s.clock += 1
            var found: Candidate?
            // The longest earlier conversation this one extends (a strict prefix: the same messages sent
            // again start a new session, as a batch of identical prompts should).
            for k in stride(from: c.count - 2, through: 0, by: -1) {
                guard let candidates = s.byConversation[c.prefixHashes[k]], !candidates.isEmpty else { continue }
                found = Self.pick(candidates, reply: c.replies[k + 1])
                break
            }
            let assignment =
                found.map { Assignment(sessionId: $0.sessionID, turn: $0.turn + 1) } ?? Assignment(sessionId: recordID, turn: 1)
            var list = s.byConversation[whole] ?? []
            list.append(Candidate(recordID: recordID, sessionID: assignment.sessionId, turn: assignment.turn, answer: nil, stamp: s.clock))
            if list.count > Self.perHash { list.removeFirst(list.count - Self.perHash) }
            s.byConversation[whole] = list
            s.conversationOf[recordID] = whole
            s.order.append((whole, recordID, s.clock))
            evict(&s)
            return assignment
        }
    }

    /// The candidate a request continues: the one whose answer the request repeats as the message after
    /// the shared prefix (by tool call ids, else by text), else the newest.
    static func pick(_ candidates: [Candidate], reply: Conversation.Reply?) -> Candidate? {
        if let reply {
            if !reply.toolCallIDs.isEmpty,
                let byTool = candidates.last(where: { !Set($0.answer?.toolCallIDs ?? []).isDisjoint(with: reply.toolCallIDs) })
            {
                return byTool
            }
            let textHash = reply.text.hashValue
            if !reply.text.isEmpty, let byText = candidates.last(where: { $0.answer?.textHash == textHash }) { return byText }
        }
        return candidates.last
    }

    /// Notes what the exchange `record` was answered, so a later request repeating the answer continues it.
    public func finished(_ record: TraceRecord) {
        let s = record.summary
        // Only a request it remembers (a chat request in no named session) needs its answer noted.
        guard state.withLock({ $0.conversationOf[s.id] != nil }) else { return }
        let answer = Answer(text: (s.text ?? "").trimmingCharacters(in: .whitespacesAndNewlines), toolCallIDs: s.toolCalls.compactMap(\.id))
        state.withLock { st in
            guard let hash = st.conversationOf[s.id], var list = st.byConversation[hash],
                let i = list.lastIndex(where: { $0.recordID == s.id })
            else { return }
            list[i].answer = answer
            st.byConversation[hash] = list
        }
    }

    /// Forgets the oldest registrations beyond ``capacity``.
    private func evict(_ s: inout State) {
        while s.order.count - s.orderStart > capacity {
            let (hash, key, stamp) = s.order[s.orderStart]
            s.orderStart += 1
            if let hash {
                s.conversationOf[key] = nil
                if var list = s.byConversation[hash] {
                    list.removeAll { $0.recordID == key && $0.stamp == stamp }
                    s.byConversation[hash] = list.isEmpty ? nil : list
                }
            } else if s.namedTurns[key]?.stamp == stamp {
                s.namedTurns[key] = nil
            }
        }
        // Compact the queue once its consumed head is as long as the rest.
        if s.orderStart > 1024, s.orderStart * 2 > s.order.count {
            s.order.removeFirst(s.orderStart)
            s.orderStart = 0
        }
    }
}
