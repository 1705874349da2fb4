import Logging
import Synchronization

/// One kind of log line that a flood must not turn into a flood of lines: at most one per
/// ``interval``; the next line after a quiet spell says how many were left out.
final class ThrottledLog: Sendable {
    private struct State {
        var lastLogged: ContinuousClock.Instant?
        var leftOut = 0
    }

    /// The shortest time between two lines.
    let interval: Duration
    private let state = Mutex(State())

    init(interval: Duration = .seconds(10)) {
        self.interval = interval
    }

    /// Logs `message` at `level`, unless a line of this kind was logged less than ``interval`` ago;
    /// then counts it, and the next line logged ends with how many were left out in between.
    /// `now` is the time of the event (tests give their own).
    func log(_ logger: Logger, level: Logger.Level, _ message: String, now: ContinuousClock.Instant = .now) {
        let leftOut = state.withLock { s -> Int? in
            if let last = s.lastLogged, now - last < interval {
                s.leftOut += 1
                return nil
            }
            defer {
                s.lastLogged = now
                s.leftOut = 0
            }
            return s.leftOut
        }
        guard let leftOut else { return }
        let more = leftOut == 0 ? "" : " (and \(leftOut) more like it since the last such line)"
        logger.log(level: level, "\(message)\(more)")
    }
}
