import Client
import Foundation
import LLMTraceModel

/// Everything that can happen to the inspector. The driver turns key presses, timer ticks, network
/// events and the results of ``Effect``s into actions and hands them to ``reduce(_:_:)``.
public enum Action: Sendable {
    /// The inspector starts: asks for the newest page (``Effect/reload``).
    case start
    /// A key press.
    case key(Key)
    /// The terminal's size (at start and after every resize).
    case resize(width: Int, height: Int)
    /// The clock: advances spinners, expires status messages, moves the sparkline window. Send a few
    /// times a second (e.g. every 100 ms).
    case tick(Date)
    /// Continue background work (a filter scan over many summaries). Send it while
    /// ``AppState/hasPendingWork`` is `true`, between polls for input; ticks continue the work too.
    case work
    /// A decoded live event (``LiveEvent/payload()``). Queued while paused.
    case event(LiveEvent.Payload)
    /// The event stream's state changed.
    case connection(ConnectionStatus)
    /// A page of summaries arrived: `replace` for the newest page (after ``Effect/reload``), `false`
    /// for an older page (after ``Effect/loadOlder(cursor:)``).
    case pageLoaded(Page, replace: Bool)
    /// A page could not be loaded.
    case pageFailed(String)
    /// A record asked for with ``Effect/loadRecord(id:)`` arrived.
    case recordLoaded(TraceRecord)
    /// A record could not be loaded.
    case recordFailed(id: String, message: String)
    /// Server totals (`GET /api/stats`), e.g. after a reload.
    case statsLoaded(Stats)
    /// Server per-minute history (`GET /api/timeseries?bucket=1m&since=<an hour ago>`).
    case timeseriesLoaded(Timeseries)
    /// The sessions asked for with ``Effect/loadSessions(minTurns:)``.
    case sessionsLoaded([SessionSummary])
    case sessionsFailed(String)
    /// A session and its turns, asked for with ``Effect/loadSession(id:)``.
    case sessionLoaded(SessionDetail)
    case sessionFailed(id: String, message: String)
    /// A request's diff against the previous turn, asked for with ``Effect/loadDiff(id:)``.
    case diffLoaded(TurnDiff)
    case diffFailed(id: String, message: String)
    /// ``Effect/replay(id:key:)`` finished: both summaries, for the side-by-side view.
    case replayed(Replayer.Outcome)
    case replayFailed(id: String, message: String)
    /// ``Effect/export(id:)`` wrote the record to `path`.
    case exported(id: String, path: String)
    /// ``Effect/export(id:)`` failed.
    case exportFailed(id: String, message: String)
    /// ``Effect/exportList(filter:fileName:)`` wrote `records` records to `path`.
    case listExported(path: String, records: Int)
    /// ``Effect/exportList(filter:fileName:)`` failed; nothing was left behind.
    case listExportFailed(String)
    /// ``Effect/clearAll`` failed on the server.
    case clearFailed(String)
    /// Who is signed in to a shared-mode server (`GET /admin/me`), shown in the header.
    case signedIn(AccountIdentity)
    /// The sign-in is missing or has ended: the message says how to sign in again. It stays in the
    /// status line until a sign-in is seen again.
    case signInNeeded(String)
    /// Any other message for the status line.
    case status(String, isError: Bool)
}
