import Synchronization

/// Runs `operation`, failing with a ``StoreError`` of kind ``StoreError/Kind/io`` if it has not finished
/// within `limit`. The caller is answered at the deadline even when the operation ignores cancellation
/// (a database client waiting for a connection to a server that is down): the operation is cancelled and
/// left to end on its own.
func withDeadline<T: Sendable>(
    _ limit: Duration,
    _ what: @autoclosure () -> String,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let message = what()
    let race = DeadlineRace<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            race.start(continuation)
            let work = Task {
                do { race.finish(.success(try await operation())) } catch { race.finish(.failure(error)) }
            }
            let timer = Task {
                try? await Task.sleep(for: limit)
                if !Task.isCancelled { race.finish(.failure(StoreError("\(message): no answer within \(limit)", kind: .io))) }
            }
            race.track([work, timer])
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The first result of ``withDeadline(_:_:_:)``'s operation, timer or cancellation resumes the caller.
private final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var pending: Result<T, any Error>?
        var tasks: [Task<Void, Never>] = []
        var done = false
    }
    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        let early = state.withLock { s -> Result<T, any Error>? in
            if let pending = s.pending { return pending }
            s.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func track(_ tasks: [Task<Void, Never>]) {
        let cancelNow = state.withLock { s -> Bool in
            s.tasks = tasks
            return s.done
        }
        if cancelNow { for task in tasks { task.cancel() } }
    }

    func finish(_ result: Result<T, any Error>) {
        let (continuation, tasks) = state.withLock { s -> (CheckedContinuation<T, any Error>?, [Task<Void, Never>]) in
            guard !s.done else { return (nil, []) }
            s.done = true
            guard let c = s.continuation else {
                // Cancelled before the continuation existed: `start` resumes with this.
                s.pending = result
                return (nil, [])
            }
            s.continuation = nil
            return (c, s.tasks)
        }
        continuation?.resume(with: result)
        for task in tasks { task.cancel() }
    }
}
