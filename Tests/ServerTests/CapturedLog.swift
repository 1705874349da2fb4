import Logging
import Synchronization

/// The lines logged through ``logger``, for tests that check what a component tells the operator.
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])

    /// A logger at `trace` level whose lines end up in ``text``.
    var logger: Logger {
        Logger(label: "captured") { _ in Handler(log: self) }
    }

    /// Every line so far, `level: message`, one per line.
    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    /// The number of lines so far.
    var count: Int { lines.withLock { $0.count } }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            log.append("\(event.level): \(event.message)")
        }
    }
}
