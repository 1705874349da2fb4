import Foundation

/// One event of the live stream (`GET /api/events`), as docs/API.md ("GET /api/events") describes it.
///
/// The server encodes each event's JSON once, when it happens; clients decode it with ``payload()``.
public struct LiveEvent: Sendable, Equatable {
    /// The event names on the wire.
    public enum Kind: String, Sendable, CaseIterable {
        case started = "request.started"
        /// What became known about a request in flight: provider, endpoint, the request's model and
        /// stream flag once its body was read, then status and streaming at the response head, then the
        /// model the response names.
        case updated = "request.updated"
        case delta = "request.delta"
        case completed = "request.completed"
        case cleared
        case stats
        /// The client asked to resume from an event the server no longer holds: re-read `/api/requests`.
        case resync
        /// Shared mode: a budget rule's limit was crossed (``BudgetAlert``).
        case alert
    }

    /// Monotonically increasing; `Last-Event-ID` resumes after it.
    public var id: UInt64
    public var kind: Kind
    /// The `data:` line: one JSON object.
    public var json: String

    public init(id: UInt64, kind: Kind, json: String) {
        self.id = id
        self.kind = kind
        self.json = json
    }

    /// The decoded `data` of an event.
    public enum Payload: Sendable, Equatable {
        case started(TraceSummary)
        case updated(TraceSummary)
        case delta(RequestDelta)
        case completed(TraceSummary)
        case cleared
        case stats(Stats)
        case resync
        case alert(BudgetAlert)
    }

    /// Decodes ``json`` according to ``kind``.
    public func payload() throws -> Payload {
        let decoder = JSONCoding.makeDecoder()
        let data = Data(json.utf8)
        switch kind {
        case .started: return .started(try decoder.decode(TraceSummary.self, from: data))
        case .updated: return .updated(try decoder.decode(TraceSummary.self, from: data))
        case .delta: return .delta(try decoder.decode(RequestDelta.self, from: data))
        case .completed: return .completed(try decoder.decode(TraceSummary.self, from: data))
        case .cleared: return .cleared
        case .stats: return .stats(try decoder.decode(Stats.self, from: data))
        case .resync: return .resync
        case .alert: return .alert(try decoder.decode(BudgetAlert.self, from: data))
        }
    }

    /// The event in `text/event-stream` form, ending with the blank line.
    public var sse: String {
        "id: \(id)\nevent: \(kind.rawValue)\ndata: \(json)\n\n"
    }
}

/// New visible text of a stream in flight.
public struct RequestDelta: Codable, Sendable, Equatable {
    public var id: String
    public var text: String

    public init(id: String, text: String) {
        self.id = id
        self.text = text
    }
}
