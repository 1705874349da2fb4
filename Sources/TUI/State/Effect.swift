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
    /// Stream `GET /api/export?format=csv&filter=<filter>` (every record the list's filter matches; all
    /// of them for an empty filter) into the file `fileName` of the export directory, then dispatch
    /// ``Action/listExported(path:records:)`` (or ``Action/listExportFailed(_:)``).
    case exportList(filter: String, fileName: String)
    /// Restore the terminal and exit.
    case quit
}
