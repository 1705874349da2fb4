import Client
import Foundation
import LLMTraceModel
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Set by SIGTERM/SIGHUP/SIGINT from outside: the loop ends and the terminal is restored.
private let stopRequested = Atomic<Bool>(false)

/// Runs the inspector until the user quits: ncurses on a thread of its own, the network on tasks, and
/// between them a queue of actions drained every tick.
public final class TUIApplication: Sendable {
    private let connection: ServerConnection
    private let startedLocalServer: Bool
    private let exportDirectory: URL
    private let inbox = Mutex<[Action]>([])

    /// - Parameters:
    ///   - connection: the server to watch.
    ///   - startedLocalServer: whether `llmtrace tui` started the server itself (shown in the header).
    ///   - exportDirectory: where `e` writes records.
    public init(connection: ServerConnection, startedLocalServer: Bool, exportDirectory: URL) {
        self.connection = connection
        self.startedLocalServer = startedLocalServer
        self.exportDirectory = exportDirectory
    }

    /// Runs until `q`, ctrl-c, SIGTERM or SIGHUP; the terminal is restored on every way out.
    public func run() async {
        Self.installSignalHandlers()
        let events = Task { [self] in
            for await update in connection.events() {
                switch update {
                case .state(let s):
                    post(.connection(s))
                    if case .offline(let reason) = s, Self.isSignInProblem(reason, key: connection.key) { post(.signInNeeded(reason)) }
                    if case .live = s, connection.session != nil { Task { await loadAccount() } }
                case .event(let e):
                    if let payload = try? e.payload() { post(.event(payload)) }
                }
            }
        }
        let analytics = Task { [self] in
            while !Task.isCancelled {
                await refreshAnalytics()
                try? await Task.sleep(for: .seconds(10))
            }
        }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread { [self] in
                loop()
                done.resume()
            }
            thread.name = "llmtrace-tui"
            thread.start()
        }
        events.cancel()
        analytics.cancel()
    }

    private func post(_ action: Action) {
        inbox.withLock { $0.append(action) }
    }

    // MARK: The terminal thread

    private func loop() {
        let terminal = NcursesTerminal(noColor: ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false)
        defer { terminal.close() }
        var state = AppState(
            serverLabel: connection.label,
            startedLocalServer: startedLocalServer,
            width: terminal.width,
            height: terminal.height
        )
        var pending: [Action] = [.start, .tick(Date())]
        var lastTick = Date()
        var dirty = true
        while !stopRequested.load(ordering: .relaxed) {
            if let key = terminal.readKey() {
                if key == .resize {
                    _ = terminal.refreshSize()
                    pending.append(.resize(width: terminal.width, height: terminal.height))
                } else {
                    pending.append(.key(key))
                }
            } else if terminal.refreshSize() {
                pending.append(.resize(width: terminal.width, height: terminal.height))
            }
            // Animate at 10 Hz while something moves (a spinner, a status message); otherwise once a second.
            let now = Date()
            let interval = state.inFlightCount > 0 || state.status != nil ? 0.1 : 1.0
            if now.timeIntervalSince(lastTick) >= interval {
                pending.append(.tick(now))
                lastTick = now
            }
            pending += inbox.withLock { queued in
                defer { queued.removeAll(keepingCapacity: true) }
                return queued
            }
            if state.hasPendingWork { pending.append(.work) }
            for action in pending {
                for effect in reduce(&state, action) {
                    if effect == .quit { return }
                    perform(effect)
                }
                dirty = true
            }
            pending.removeAll(keepingCapacity: true)
            if dirty {
                terminal.paint(Renderer.render(state, width: terminal.width, height: terminal.height))
                dirty = false
            }
        }
    }

    // MARK: Effects (network work on tasks; results come back as actions)

    private func perform(_ effect: Effect) {
        let client = connection.client
        switch effect {
        case .quit:
            break
        case .loadRecord(let id):
            Task { [self] in
                do { post(.recordLoaded(try await client.record(id: id))) } catch { post(.recordFailed(id: id, message: String(describing: error))) }
            }
        case .loadOlder(let cursor):
            Task { [self] in
                do { post(.pageLoaded(try await client.requests(limit: 500, cursor: cursor), replace: false)) } catch {
                    post(.pageFailed(String(describing: error)))
                }
            }
        case .reload:
            Task { [self] in
                do { post(.pageLoaded(try await client.requests(limit: 1000), replace: true)) } catch { post(.pageFailed(String(describing: error))) }
                await refreshAnalytics()
            }
        case .loadSessions(let minTurns):
            Task { [self] in
                do { post(.sessionsLoaded(try await client.sessions(limit: 500, minTurns: minTurns))) } catch {
                    post(.sessionsFailed(String(describing: error)))
                }
            }
        case .loadSession(let id):
            Task { [self] in
                do { post(.sessionLoaded(try await client.session(id: id))) } catch {
                    post(.sessionFailed(id: id, message: String(describing: error)))
                }
            }
        case .loadDiff(let id):
            Task { [self] in
                do { post(.diffLoaded(try await client.diff(id: id))) } catch {
                    post(.diffFailed(id: id, message: String(describing: error)))
                }
            }
        case .replay(let id, let key):
            Task { [self] in
                do {
                    let record = try await client.record(id: id)
                    let given =
                        key
                        ?? ProcessInfo.processInfo.environment[ReplayRequest.keyVariable(provider: record.summary.provider)].flatMap {
                            $0.isEmpty ? nil : $0
                        }
                    let request = try ReplayRequest(record: record, key: given)
                    post(.replayed(try await Replayer(client: client).replay(request, of: record.summary)))
                } catch {
                    post(.replayFailed(id: id, message: String(describing: error)))
                }
            }
        case .clearAll:
            Task { [self] in
                do { try await client.clear() } catch { post(.clearFailed(String(describing: error))) }
            }
        case .export(let id):
            Task { [self] in
                do {
                    let record = try await client.record(id: id)
                    let url = exportDirectory.appendingPathComponent("llmtrace-\(id).json")
                    try JSONCoding.makeEncoder(pretty: true).encode(record).write(to: url)
                    post(.exported(id: id, path: url.path))
                } catch let error as ClientError {
                    post(.exportFailed(id: id, message: String(describing: error)))
                } catch {
                    post(.exportFailed(id: id, message: error.localizedDescription))
                }
            }
        case .exportList(let filter, let fileName):
            let url = exportDirectory.appendingPathComponent(fileName)
            Task { [self] in
                do {
                    post(.listExported(path: url.path, records: try await Self.exportList(client: client, filter: filter, to: url)))
                } catch {
                    post(.listExportFailed(String(describing: error)))
                }
            }
        }
    }

    /// Streams the CSV export of the records `filter` matches into a new file at `url` and returns how
    /// many rows it holds. On any failure the partial file is removed.
    private static func exportList(client: LLMTraceClient, filter: String, to url: URL) async throws(ListExportError) -> Int {
        guard !FileManager.default.fileExists(atPath: url.path) else { throw ListExportError("\(url.path) already exists") }
        guard FileManager.default.createFile(atPath: url.path, contents: nil), let handle = try? FileHandle(forWritingTo: url) else {
            throw ListExportError("cannot create \(url.path) (is the export directory writable? see --export-dir)")
        }
        var progress = ExportProgress(format: "csv", total: nil)
        do {
            try await client.download("/api/export" + LLMTraceClient.query([("format", "csv"), ("filter", filter.isEmpty ? nil : filter)])) {
                chunk in
                do { try handle.write(contentsOf: Data(chunk.readableBytesView)) } catch {
                    throw ClientError.input("cannot write \(url.path): \(error.localizedDescription)")
                }
                progress.add(chunk)
            }
            try? handle.close()
            return progress.records
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: url)
            throw ListExportError(error.description)
        }
    }

    /// Who is signed in (shared mode), for the header; a refused session says how to sign in again.
    private func loadAccount() async {
        do {
            post(.signedIn(try await connection.client.me()))
        } catch let error where error.isRefusal {
            post(.signInNeeded(error.description))
        } catch {
            // The header simply shows no account; the event stream reports a lost server.
        }
    }

    /// Whether the event stream ended because the server wants a sign-in (none saved, or it ended).
    static func isSignInProblem(_ reason: String, key: ServerKey) -> Bool {
        reason == ClientError.sessionEnded(server: key.label, signIn: key.signInCommand).description
            || reason == ClientError.notSignedIn(server: key.label, signIn: key.signInCommand).description
    }

    private func refreshAnalytics() async {
        if let stats = try? await connection.client.stats() { post(.statsLoaded(stats)) }
        if let series: Timeseries = try? await connection.client.get("/api/timeseries?bucket=1m&since=60m") { post(.timeseriesLoaded(series)) }
    }

    // MARK: Signals

    private static func installSignalHandlers() {
        for sig in [SIGTERM, SIGHUP, SIGINT] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { _ in stopRequested.store(true, ordering: .relaxed) }
            sigemptyset(&action.sa_mask)
            sigaction(sig, &action, nil)
        }
        // A crash still gives the terminal back (best effort) and ends ssh, then dies as it would have.
        ChildProcesses.prepare()
        for sig in [SIGSEGV, SIGBUS, SIGILL, SIGABRT, SIGTRAP, SIGFPE] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in
                ChildProcesses.signalAll(SIGTERM)
                NcursesTerminal.emergencyRestore()
                signal(sig, SIG_DFL)
                raise(sig)
            }
            sigemptyset(&action.sa_mask)
            sigaction(sig, &action, nil)
        }
    }
}
