import Client
import Foundation
import LLMTraceModel

/// Everything the inspector shows, as plain values. Change it only with ``reduce(_:_:)`` (or
/// ``send(_:)``); draw it with ``Renderer/render(_:width:height:)``.
///
/// A driver's loop, all on one thread:
///
///     var state = AppState(serverLabel: connection.label, startedLocalServer: started)
///     perform(state.send(.resize(width: cols, height: rows)) + state.send(.start))   // → .reload
///     var screen = CellGrid(width: 0, height: 0)
///     loop {
///         // input: Key(scalar:) for get_wch characters, .up/.pageDown/… for KEY_* codes
///         for key in pendingKeys { perform(state.send(.key(key))) }
///         // network, drained from a queue: .connection(_), .event(try liveEvent.payload()),
///         // and the answers to effects: .pageLoaded, .recordLoaded, .statsLoaded, .exported, …
///         for action in drainedActions { perform(state.send(action)) }
///         perform(state.send(.tick(Date())))          // every ~100 ms
///         while state.hasPendingWork && noInputWaiting { perform(state.send(.work)) }
///         let frame = Renderer.render(state, width: cols, height: rows)
///         for (x, y, cell) in frame.diff(from: screen) where !cell.isContinuation {
///             paint(cell.character, cell.style.downgraded(to: colorMode), x, y)
///         }
///         screen = frame   // after a resize: send .resize, and repaint everything
///     }
///
/// `perform` runs each ``Effect``; `.quit` restores the terminal and exits. Rapid selection
/// changes emit one ``Effect/loadRecord(id:)`` per record; a driver may drop loads for records that
/// are no longer selected (``selectedID``) when their turn comes.
public struct AppState: Sendable {
    // MARK: Set up by the driver

    /// How the server was reached (`unix:///…`, `http://127.0.0.1:8080`, `ssh me@host → …`).
    public var serverLabel: String
    /// Whether `llmtrace tui` started a server in-process because none answered.
    public var startedLocalServer: Bool
    public var keyMap: KeyMap
    public var theme: Theme
    /// Time zone of the list's time column.
    public var timeZone: TimeZone

    // MARK: Clock and terminal

    /// The time of the last ``Action/tick(_:)``.
    public internal(set) var now: Date
    /// Frame counter for spinners; advances on every tick unless paused.
    public internal(set) var tick = 0
    /// Terminal size from the last ``Action/resize(width:height:)`` (paging and scrolling use it).
    public internal(set) var width: Int
    public internal(set) var height: Int

    // MARK: Data

    public internal(set) var connection: ConnectionStatus = .connecting
    /// Every summary held, newest first.
    public internal(set) var store = SummaryStore()
    /// The ids that pass the filter, newest first: the list.
    public internal(set) var visible = OrderedIDs()
    /// Text streamed so far (`request.delta`) for requests that have not completed.
    public internal(set) var liveText: [String: String] = [:]
    /// Full records fetched for the detail pane.
    public internal(set) var records = RecordCache()
    /// Records asked for (``Effect/loadRecord(id:)``) and not yet arrived.
    public internal(set) var loadingRecords: Set<String> = []
    /// In-flight requests whose record was fetched again once their answer began to stream.
    var refetchedInFlight: Set<String> = []
    /// Why a record could not be loaded, by id.
    public internal(set) var recordErrors: [String: String] = [:]
    /// Cursor of the next older page; `nil` when everything is loaded (or nothing yet).
    public internal(set) var olderCursor: String?
    /// Whether ``Effect/loadOlder(cursor:)`` is in flight.
    public internal(set) var loadingOlder = false
    /// Whether a first page has arrived.
    public internal(set) var loaded = false
    /// The latest `stats` from the server (totals over every record it holds).
    public internal(set) var serverStats: Stats?
    /// The latest per-minute timeseries from the server, if the driver fetched one.
    public internal(set) var serverTimeseries: Timeseries?
    /// Totals over the summaries held, kept incrementally.
    public internal(set) var analytics = Analytics()
    /// Who is signed in to a shared-mode server, with their teams; `nil` elsewhere.
    public internal(set) var account: AccountIdentity?
    /// Why the server will not answer until the user signs in (again), with the command to run.
    public internal(set) var signInProblem: String?
    /// The latest budget alert from the live stream (shared mode), shown in the header.
    public internal(set) var latestAlert: BudgetAlert?

    // MARK: Sessions
    /// The sessions of the Sessions screen, most recently active first.
    public internal(set) var sessions: [SessionSummary] = []
    /// Whether ``sessions`` arrived at least once.
    public internal(set) var sessionsLoaded = false
    /// Whether ``Effect/loadSessions(minTurns:)`` is in flight.
    var loadingSessions = false
    /// When the sessions were last asked for, and whether requests finished since (they are then asked
    /// for again, at most every ``sessionsRefreshSeconds``, while the screen shows).
    var sessionsAskedAt: Date?
    var sessionsStale = false
    public var sessionsRefreshSeconds = 2.0
    public internal(set) var sessionsError: String?
    /// `m`: only sessions of more than one turn (agent runs and conversations, not single calls).
    public internal(set) var multiTurnOnly = false
    /// The selected session's position in ``sessions``, and the first row on screen.
    public internal(set) var selectedSession = 0
    public internal(set) var sessionsTop = 0
    /// The selected session with its turns, once loaded; the selected turn and the first on screen.
    public internal(set) var sessionDetail: SessionDetail?
    var loadingSession: String?
    public internal(set) var selectedTurn = 0
    public internal(set) var turnsTop = 0
    /// Diffs against the previous turn, by request id (the Diff tab).
    public internal(set) var diffs: [String: TurnDiff] = [:]
    var loadingDiffs: Set<String> = []
    public internal(set) var diffErrors: [String: String] = [:]
    // MARK: UI

    public internal(set) var screen = Screen.requests
    public internal(set) var focus = Focus.list
    public internal(set) var tab = DetailTab.overview
    /// The selected request (always one of ``visible`` when that is not empty).
    public internal(set) var selectedID: String?
    /// Position of the selection in ``visible`` after the last action.
    public internal(set) var selectedPosition = 0
    /// Position of the first list row on screen.
    public internal(set) var listTop = 0
    /// First line of the detail pane on screen.
    public internal(set) var detailScroll = 0
    /// First line of the Stats screen on screen.
    public internal(set) var statsScroll = 0
    public internal(set) var statsSort = StatsSort()
    public internal(set) var filter = FilterState()
    /// `F`: the selection sticks to the newest request.
    public internal(set) var follow = false
    /// `Z`: live events are queued in ``pendingEvents`` and the screen stays as it is.
    public internal(set) var paused = false
    public internal(set) var pendingEvents: [LiveEvent.Payload] = []
    /// More events arrived while paused than ``maxPendingEvents``: resuming reloads instead.
    public internal(set) var pendingOverflow = false
    public internal(set) var confirmation: Confirmation?
    /// `r`: the API key being typed for a replay.
    public internal(set) var replayPrompt: ReplayPrompt?
    /// The last replay's two answers, shown side by side until closed.
    public internal(set) var replayResult: Replayer.Outcome?
    public internal(set) var helpVisible = false
    public internal(set) var helpScroll = 0
    public internal(set) var status: StatusMessage?
    /// The file `E` is exporting the filtered list to, while it runs.
    public internal(set) var listExport: String?

    /// Most events queued while paused before the queue is dropped for a reload on resume.
    public var maxPendingEvents = 50_000
    /// Seconds a status message stays.
    public var statusSeconds = 5.0

    /// Summaries a filter checks per step: a new filter over many summaries is applied in steps (one
    /// per ``Action/work`` or ``Action/tick(_:)``) so no key press waits for all of them.
    public var filterStep = 10_000
    /// The filter scan in progress, if any.
    var filterJob: FilterJob?

    /// Changes whenever the selected request's data changes (summary, streamed text, record).
    public internal(set) var detailRevision = 0
    /// The detail pane's lines for the current selection, tab and width, built by the reducer so
    /// frames do not re-format bodies.
    var detailCache: DetailCache?

    /// - Parameters:
    ///   - serverLabel: shown in the header.
    ///   - startedLocalServer: shows "local server started" in the header.
    ///   - now: the clock until the first tick.
    ///   - width, height: the terminal size until the first resize.
    public init(
        serverLabel: String,
        startedLocalServer: Bool = false,
        now: Date = Date(),
        width: Int = 80,
        height: Int = 24,
        timeZone: TimeZone = .current,
        keyMap: KeyMap = .standard,
        theme: Theme = .standard
    ) {
        self.serverLabel = serverLabel
        self.startedLocalServer = startedLocalServer
        self.now = now
        self.width = width
        self.height = height
        self.timeZone = timeZone
        self.keyMap = keyMap
        self.theme = theme
    }

    // MARK: Reading

    /// The selected summary.
    public var selectedSummary: TraceSummary? { selectedID.flatMap { store[$0] } }

    /// The selected record, when it has been loaded.
    public var selectedRecord: TraceRecord? { selectedID.flatMap { records[$0] } }

    /// The assistant text of a request: the summary's, else what has streamed so far.
    public func answerText(for s: TraceSummary) -> String? {
        if let t = s.text, !t.isEmpty { return t }
        return liveText[s.id]
    }

    /// Whether a request is still in flight (no response end seen yet).
    public static func isInFlight(_ s: TraceSummary) -> Bool { !s.complete && s.durationMs == nil && s.error == nil }

    /// Milliseconds since a request started, as of the last tick (never negative, should the server's
    /// clock run ahead): the live duration of a request in flight.
    public func elapsedMs(_ s: TraceSummary) -> Double {
        max(0, now.timeIntervalSince(s.startedAt) * 1000)
    }

    /// The layout of the terminal the reducer knows about.
    public var layout: Layout { Layout(width: width, height: height, state: self) }

    /// Whether the reducer has work left (a filter scan): the driver should keep sending
    /// ``Action/work`` between polls for input until this is `false`.
    public var hasPendingWork: Bool { filterJob != nil }

    /// How far a filter scan has got (0…1), `nil` when none is running.
    public var filterProgress: Double? {
        guard let job = filterJob else { return nil }
        return job.total == 0 ? 1 : min(1, Double(job.scanned) / Double(job.total))
    }

    /// Key bindings that work right now, for the footer.
    public var activeContexts: [KeyContext] { KeyMap.activeContexts(for: self) }
}
