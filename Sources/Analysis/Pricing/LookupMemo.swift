import Synchronization

/// A bounded memo of price lookups (emptied when full, so a stream of odd model names cannot grow it).
final class LookupMemo: Sendable {
    struct Key: Hashable, Sendable {
        var model: String
        var provider: String?
    }

    struct Answer: Sendable {
        var hit: (name: String, price: ModelPrice)?
    }

    private static let capacity = 1_024
    private let answers = Mutex([Key: Answer]())

    func answer(for key: Key) -> Answer? {
        answers.withLock { $0[key] }
    }

    func remember(_ answer: Answer, for key: Key) {
        answers.withLock {
            if $0.count >= Self.capacity { $0.removeAll(keepingCapacity: true) }
            $0[key] = answer
        }
    }
}
