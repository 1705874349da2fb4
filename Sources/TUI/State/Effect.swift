import Foundation
import LLMTraceModel

/// Work the reducer asks the driver to do; the driver reports back with an ``Action``.
public enum Effect: Sendable, Hashable {
    /// Fetch `GET /api/requests/{id}`, then dispatch ``Action/recordLoaded(_:)`` (or ``Action/recordFailed(id:message:)``).
    case loadRecord(id: String)
    /// Fetch the page after `cursor`, then dispatch ``Action/pageLoaded(_:replace:)`` with `replace: false`.
    case loadOlder(cursor: String)
    /// Re-read the newest page (and, if wanted, stats and timeseries), then dispatch
    /// ``Action/pageLoaded(_:replace:)`` with `replace: true`.
    case reload
    /// `DELETE /api/requests`. The reducer has already emptied its own state.
    case clearAll
    /// Write the record as pretty JSON to a file, then dispatch ``Action/exported(id:path:)``.
    case export(id: String)
    /// Fetch `GET /api/sessions?minTurns=…`, then dispatch ``Action/sessionsLoaded(_:)`` (or ``Action/sessionsFailed(_:)``).
    case loadSessions(minTurns: Int)
    /// Fetch `GET /api/sessions/{id}`, then dispatch ``Action/sessionLoaded(_:)`` (or ``Action/sessionFailed(id:message:)``).
    case loadSession(id: String)
    /// Fetch `GET /api/requests/{id}/diff`, then dispatch ``Action/diffLoaded(_:)`` (or ``Action/diffFailed(id:message:)``).
    case loadDiff(id: String)
    /// Stream `GET /api/export?format=csv&filter=<filter>` (every record the list's filter matches; all
    /// of them for an empty filter) into the file `fileName` of the export directory, then dispatch
    /// ``Action/listExported(path:records:)`` (or ``Action/listExportFailed(_:)``).
    case exportList(filter: String, fileName: String)
    /// Send the record `id` again through the proxy with `key` (`nil`: the provider's environment
    /// variable), then dispatch ``Action/replayed(_:)`` (or ``Action/replayFailed(id:message:)``).
    case replay(id: String, key: String?)
    /// Restore the terminal and exit.
    case quit
}
