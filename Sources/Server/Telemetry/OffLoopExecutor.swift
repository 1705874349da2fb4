import Dispatch

/// Runs the OTLP exporter's work on a dispatch queue, off the event loops that run every other task in
/// llmtrace (its global executor is the NIO event loop group). swift-otel's OTLP/HTTP exporters call
/// `HTTPClient.syncShutdown()` when they are let go, which traps on an event loop: whatever holds them
/// must be let go here.
final class OffLoopExecutor: TaskExecutor {
    static let shared = OffLoopExecutor()
    private let queue = DispatchQueue(label: "llmtrace.otlp")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    /// Lets go of `object` on the queue.
    func release(_ object: sending some Any) {
        nonisolated(unsafe) var held: Any? = object
        queue.async { held = nil }
        _ = held
    }
}
