import Analysis
import Foundation
import HTTPTypes
import Hummingbird
import LLMTraceModel

/// The JSON API: requests, statistics, timeseries, cost estimates, health, and the seed product's
/// `/cgi-bin` routes. docs/API.md describes every route.
struct APIController: Sendable {
    let store: any TraceStore
    let pipeline: CapturePipeline
    let events: EventHub
    let prices: PriceTable
    let retention: Retention
    let cluster: ClusterFeed?
    let startedAt: Date
    /// Shared mode's accounts: when set, every read is limited to the caller's teams' environments.
    var auth: SharedAuth? = nil
    /// The forward proxy, whose tunnel count health reports; `nil` in shared mode.
    var forward: ForwardProxy? = nil

    private static let lastEventIDHeader = HTTPField.Name("last-event-id")!
    private static let accelBufferingHeader = HTTPField.Name("x-accel-buffering")!

    /// The `/api` routes, on the group mounted at `/api` (which carries the password check, if any).
    func addAPIRoutes(to api: RouterGroup<AppRequestContext>) {
        api.get("requests") { request, context in try await list(request, context) }
        api.get("requests/:id") { _, context in try await record(context.parameters.get("id") ?? "", context) }
        api.get("requests/:id/diff") { _, context in try await diff(context.parameters.get("id") ?? "", context) }
        api.get("sessions") { request, context in try await sessions(request, context) }
        api.get("sessions/:id") { _, context in try await session(context.parameters.get("id") ?? "", context) }
        api.delete("requests") { _, context in try await clear(context) }
        api.get("stats") { request, context in try await stats(request, context) }
        api.get("timeseries") { request, context in try await timeseries(request, context) }
        api.get("report") { request, context in try await report(request, context) }
        api.get("cost-estimate") { request, _ in try costEstimate(request) }
        api.get("health") { _, _ in await health() }
        api.get("events") { request, context in try await liveEvents(request, context) }
        api.get("forward-proxy/ca.pem") { _, _ in try forwardProxyCA() }
        api.get("export") { request, context in try await export(request, context) }
    }

    /// `GET /api/export?format=csv|json|jsonl&fields=a,b&withBodies=true` with the list's filters: every
    /// matching record, newest first, streamed a page at a time (constant memory however many there are).
    private func export(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let q = QueryParser(request)
        let formatText = q.string("format") ?? "csv"
        guard let format = ExportWriter.Format(rawValue: formatText.lowercased()) else {
            throw APIError.invalidParameter("format", formatText, expected: "csv, json or jsonl")
        }
        let withBodies = ["1", "true", "yes"].contains(q.string("withBodies")?.lowercased() ?? "")
        let fields: [ExportField]
        do { fields = try ExportField.parse(q.string("fields"), withBodies: withBodies) } catch {
            throw APIError(status: .badRequest, type: "invalid_parameter", message: error.description)
        }
        let filter = try await scopedFilter(request, context)
        let needsRecords = fields.contains { ExportField.bodies.contains($0) }
        let (store, pipeline) = (self.store, self.pipeline)
        return Response(
            status: .ok,
            headers: [.contentType: format.contentType, .cacheControl: "no-store"],
            body: ResponseBody { writer in
                var out = ExportWriter(format: format, fields: fields)
                try await writer.write(ByteBuffer(string: out.header()))
                try await Self.pages(store: store, pipeline: pipeline, filter: filter) { items in
                    var chunk = ""
                    for summary in items {
                        var record = TraceRecord(summary: summary)
                        if needsRecords {
                            if let pending = pipeline.pendingRecord(id: summary.id) {
                                record = pending
                            } else if let stored = try await store.record(id: summary.id) {
                                record = stored
                            }
                        }
                        chunk += out.row(record)
                    }
                    try await writer.write(ByteBuffer(string: chunk))
                    return true
                }
                try await writer.write(ByteBuffer(string: out.footer()))
                try await writer.finish(nil)
            }
        )
    }

    /// The most sessions `GET /api/sessions` lists.
    static let maxSessions = 1000
    /// The most turns `GET /api/sessions/{id}` returns (the newest, when a session has more).
    static let maxTurns = 10_000

    /// `GET /api/sessions?env=&since=&until=&minTurns=&limit=`: the most recently active sessions with their totals.
    private func sessions(_ request: Request, _ context: AppRequestContext) async throws -> SessionList {
        let q = QueryParser(request)
        let limit = try q.int("limit", range: 1...Self.maxSessions) ?? 100
        let minTurns = try q.int("minTurns", range: 1...1_000_000) ?? 1
        return SessionList(items: try await store.sessions(filter: try await scopedFilter(request, context), minTurns: minTurns, limit: limit))
    }

    /// `GET /api/sessions/{id}`: a session's totals and its turns, oldest first. Another team's session
    /// is 404, as one that does not exist.
    private func session(_ id: String, _ context: AppRequestContext) async throws -> SessionDetail {
        var filter = RequestFilter()
        filter.expression = .field(.session, .text(id))
        filter.environments = try await readable(context)
        let turns = try await Self.turns(store: store, pipeline: pipeline, filter: filter)
        var acc = SessionAccumulator()
        for turn in turns { acc.add(StatsSample(turn)) }
        guard let summary = acc.sessions().first else { throw APIError.notFound("no session with id '\(id.prefix(128))'") }
        return SessionDetail(session: summary, turns: turns)
    }

    /// The records matching `filter`, oldest first (the newest ``maxTurns`` when there are more).
    private static func turns(store: any TraceStore, pipeline: CapturePipeline, filter: RequestFilter) async throws -> [TraceSummary] {
        var turns: [TraceSummary] = []
        try await pages(store: store, pipeline: pipeline, filter: filter) { items in
            turns += items
            return turns.count < maxTurns
        }
        return turns.prefix(maxTurns).reversed()
    }

    /// `GET /api/requests/{id}/diff`: what the request changed since the previous turn of its session.
    private func diff(_ id: String, _ context: AppRequestContext) async throws -> TurnDiff {
        let current = try await record(id, context)
        var previous: TraceRecord?
        if let session = current.summary.sessionId {
            var filter = RequestFilter()
            filter.expression = .field(.session, .text(session))
            filter.environments = try await readable(context)
            // The session's newest turn before this one (ids sort by start).
            let page = try await Self.page(store: store, pipeline: pipeline, filter: filter, page: PageRequest(limit: 1, cursor: current.id))
            if let before = page.items.first { previous = try await record(before.id, context) }
        }
        var diff = TurnDiffer.diff(
            id: current.id,
            current: current.requestBody?.bytes ?? [],
            previousId: previous?.id,
            previous: previous.map { $0.requestBody?.bytes ?? [] }
        )
        diff.sessionId = current.summary.sessionId
        diff.turn = current.summary.turn
        return diff
    }

    /// llmtrace's CA certificate (made on first use), for `llmtrace run` and anyone setting up a client.
    private func forwardProxyCA() throws -> Response {
        guard let forward else {
            throw APIError.notFound("the forward proxy runs in local mode only; this server is in shared mode")
        }
        let pem: String
        do { pem = try forward.certificateAuthority().certificatePEM } catch {
            throw APIError(status: .internalServerError, type: "ca_unavailable", message: error.description)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "application/x-pem-file", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: pem))
        )
    }

    /// The seed product's routes, on the group mounted at `/cgi-bin`.
    func addCGIRoutes(to cgiBin: RouterGroup<AppRequestContext>) {
        cgiBin.get("requests") { request, context in try await list(request, context) }
        cgiBin.get("request/:id") { _, context in try await record(context.parameters.get("id") ?? "", context) }
        cgiBin.post("clear") { _, context in try await clear(context) }
    }

    /// The environments the caller may read: `nil` for all (standalone mode, system administrators).
    private func readable(_ context: AppRequestContext) async throws -> Set<String>? {
        guard let auth else { return nil }
        guard let identity = context.identity else {
            throw APIError(status: .unauthorized, type: "unauthenticated", message: "sign in first: POST /admin/login")
        }
        do {
            return try await auth.readableEnvironments(identity)
        } catch let e as AdminStoreError {
            throw APIError(status: .serviceUnavailable, type: "store_unavailable", message: e.message)
        }
    }

    /// The filter of the request, limited to the environments the caller may read.
    private func scopedFilter(_ request: Request, _ context: AppRequestContext) async throws -> RequestFilter {
        var filter = try QueryParser(request).filter()
        filter.environments = try await readable(context)
        return filter
    }

    /// `GET /api/events`: the live `text/event-stream`.
    private func liveEvents(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let q = QueryParser(request)
        let filter = EventHub.Filter(
            env: q.string("env"),
            model: q.string("model"),
            expression: try q.filter().expression,
            environments: try await readable(context)
        )
        var lastEventID: UInt64?
        if let text = request.headers[Self.lastEventIDHeader] ?? q.string("lastEventId") {
            guard let n = UInt64(text.trimmingCharacters(in: .whitespaces)) else {
                throw APIError.invalidParameter("Last-Event-ID", text, expected: "the id of an event received before")
            }
            lastEventID = n
        }
        let stream = events.subscribe(filter: filter, lastEventID: lastEventID)
        let headers: HTTPFields = [
            .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache",
            Self.accelBufferingHeader: "no",
        ]
        return Response(
            status: .ok,
            headers: headers,
            body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: ": llmtrace live events\nretry: 1000\n\n"))
                for await item in stream {
                    switch item {
                    case .event(let event): try await writer.write(ByteBuffer(string: event.sse))
                    case .ping: try await writer.write(ByteBuffer(string: ": ping\n\n"))
                    }
                }
                try await writer.finish(nil)
            }
        )
    }

    /// A page from the store, with the records capture has not saved yet (the last few milliseconds'
    /// exchanges, or more while the store is down), so a call just answered is listed at once.
    private func list(_ request: Request, _ context: AppRequestContext) async throws -> Page {
        try await Self.page(store: store, pipeline: pipeline, filter: try await scopedFilter(request, context), page: try QueryParser(request).page())
    }

    /// A page of `filter`'s records: the store's, with those capture has not saved yet merged in.
    private static func page(store: any TraceStore, pipeline: CapturePipeline, filter: RequestFilter, page: PageRequest) async throws -> Page {
        let stored = try await store.list(filter: filter, page: page)
        return merging(pipeline.pendingSummaries(matching: filter, before: page.cursor), into: stored, limit: page.limit)
    }

    /// Calls `body` with each page of the records matching `filter` (newest first, pending ones merged
    /// in) until the pages end or `body` returns `false`.
    private static func pages(
        store: any TraceStore,
        pipeline: CapturePipeline,
        filter: RequestFilter,
        _ body: ([TraceSummary]) async throws -> Bool
    ) async throws {
        var cursor: String?
        repeat {
            let page = try await Self.page(
                store: store,
                pipeline: pipeline,
                filter: filter,
                page: PageRequest(limit: PageRequest.maxLimit, cursor: cursor)
            )
            guard try await body(page.items) else { return }
            cursor = page.nextCursor
        } while cursor != nil
    }

    /// `stored` with `pending` (newer versions of its records, and records not saved yet) merged in, newest
    /// first. A pending record older than a full page's last item belongs to a later page, which the
    /// cursor reaches as before.
    static func merging(_ pending: [TraceSummary], into stored: Page, limit: Int) -> Page {
        guard !pending.isEmpty else { return stored }
        var byID = Dictionary(stored.items.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for summary in pending { byID[summary.id] = summary }
        var merged = byID.values.sorted { $0.id > $1.id }
        if let next = stored.nextCursor { merged.removeAll { $0.id < next } }
        guard merged.count > limit else { return Page(items: merged, nextCursor: stored.nextCursor) }
        let kept = Array(merged.prefix(limit))
        return Page(items: kept, nextCursor: kept.last?.id)
    }

    /// The record `id`; another team's record is 404, as one that does not exist, so ids do not leak.
    private func record(_ id: String, _ context: AppRequestContext) async throws -> TraceRecord {
        let allowed = try await readable(context)
        let notFound = APIError.notFound("no request with id '\(id.prefix(64))'")
        let found: TraceRecord?
        if let pending = pipeline.pendingRecord(id: id) { found = pending } else { found = try await store.record(id: id) }
        guard let record = found, allowed?.contains(record.summary.env) ?? true else { throw notFound }
        return record
    }

    private func clear(_ context: AppRequestContext) async throws -> [String: Int] {
        if let auth {
            guard let identity = context.identity else {
                throw APIError(status: .unauthorized, type: "unauthenticated", message: "sign in first: POST /admin/login")
            }
            if let environments = try await auth.clearableEnvironments(identity) {
                guard !environments.isEmpty else {
                    throw APIError(status: .forbidden, type: "forbidden", message: "clearing records takes the role 'admin' in a team")
                }
                // Only the caller's teams' records go; other teams' stay, and their subscribers are not told.
                let cleared = try await store.clear(environments: environments)
                events.resync(environments: environments)
                return ["cleared": cleared]
            }
        }
        let count = try await store.count()
        pipeline.discardPending()
        try await store.clear()
        events.cleared()
        return ["cleared": count]
    }

    private func stats(_ request: Request, _ context: AppRequestContext) async throws -> Stats {
        try await store.stats(filter: scopedFilter(request, context))
    }

    /// `GET /api/report?by=model|env|day|month|session` with the list's filters: requests, errors, tokens and cost
    /// per group, and their totals.
    private func report(_ request: Request, _ context: AppRequestContext) async throws -> Report {
        let byText = QueryParser(request).string("by") ?? ReportGrouping.model.rawValue
        guard let grouping = ReportGrouping(rawValue: byText.lowercased()) else {
            throw APIError.invalidParameter("by", byText, expected: ReportGrouping.choices)
        }
        return try await store.report(filter: scopedFilter(request, context), by: grouping)
    }

    private func timeseries(_ request: Request, _ context: AppRequestContext) async throws -> Timeseries {
        let q = QueryParser(request)
        let bucketText = q.string("bucket") ?? "1m"
        guard let bucket = Timeseries.parseBucket(bucketText) else {
            throw APIError.invalidParameter("bucket", bucketText, expected: "a width such as 30s, 1m, 5m, 1h or 1d")
        }
        let filter = try await scopedFilter(request, context)
        let until = filter.until ?? q.now
        let since = filter.since ?? until.addingTimeInterval(-Double(bucket) * 60)
        guard since < until else { throw APIError.invalidParameter("since", q.string("since") ?? "", expected: "a time before 'until'") }
        guard let series = try await store.timeseries(filter: filter, bucketSeconds: bucket, since: since, until: until) else {
            throw APIError(
                status: .badRequest,
                type: "invalid_parameter",
                message: "that range needs more than \(Timeseries.maxBuckets) buckets of \(bucketText): use a wider bucket or a shorter range"
            )
        }
        return series
    }

    private struct CostEstimate: Codable, ResponseEncodable, Sendable {
        var promptTokens: Int
        var completionTokens: Int
        var cachedTokens: Int?
        var model: String
        var pricedAs: String?
        var estimatedCost: Double?

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(promptTokens, forKey: .promptTokens)
            try c.encode(completionTokens, forKey: .completionTokens)
            try c.encode(cachedTokens, forKey: .cachedTokens)
            try c.encode(model, forKey: .model)
            try c.encode(pricedAs, forKey: .pricedAs)
            try c.encode(estimatedCost, forKey: .estimatedCost)
        }
    }

    private func costEstimate(_ request: Request) throws -> CostEstimate {
        let q = QueryParser(request)
        guard let model = q.string("model") else { throw APIError.invalidParameter("model", "", expected: "a model name, such as gpt-4o") }
        let prompt = try q.int("promptTokens", range: 0...Int(Int32.max)) ?? 0
        let completion = try q.int("completionTokens", range: 0...Int(Int32.max)) ?? 0
        let cached = try q.int("cachedTokens", range: 0...prompt)
        let usage = Usage(inputTokens: prompt, outputTokens: completion, cachedInputTokens: cached, totalTokens: prompt + completion)
        let match = prices.lookup(model: model, provider: q.string("provider"))
        return CostEstimate(
            promptTokens: prompt,
            completionTokens: completion,
            cachedTokens: cached,
            model: model,
            pricedAs: match?.name,
            estimatedCost: prices.cost(model: model, provider: q.string("provider"), usage: usage)
        )
    }

    struct Health: Codable, ResponseEncodable, Sendable {
        /// `ok`, or `degraded` when captured records are not being saved.
        var status: String
        /// Why the status is `degraded`, in words a user can act on; absent when `ok`.
        var reason: String?
        var version: String
        var uptimeSeconds: Double
        var store: String
        var records: Int?
        var storeError: String?
        var capture: CapturePipeline.Health
        var retention: Retention.Health
        /// Whether this node follows the other nodes on a shared database; absent on a store of its own.
        var cluster: ClusterFeed.Health?
        var prices: Int
        var pricesError: String?
        /// The forward proxy's tunnels (CONNECTs not decrypted, so not recorded); absent in shared mode.
        var forwardProxy: ForwardProxy.Health?

        /// `degraded` while the latest save failed, for a minute after records were lost, or when the
        /// store cannot even be read; the reason is the store's own explanation.
        static func status(capture: CapturePipeline.Health, readError: String?, now: Date) -> (status: String, reason: String?) {
            if capture.storeFailing, let error = capture.lastStoreError {
                let waiting =
                    capture.pending > 0 && StoreError.Kind(rawValue: capture.lastStoreErrorKind ?? "")?.passes == true
                    ? "; \(capture.pending) record(s) wait in memory and are saved when it recovers" : ""
                return ("degraded", "captured records are not being saved: \(error)\(waiting)")
            }
            if let readError {
                return ("degraded", "the store cannot be read: \(readError)")
            }
            if let at = capture.lastLossAt, now.timeIntervalSince(at) < 60 {
                let why = capture.lastStoreError ?? "the capture queue was full"
                return ("degraded", "some captured records were not saved in the last minute: \(why)")
            }
            return ("ok", nil)
        }
    }

    private func health() async -> Health {
        let capture = pipeline.health
        var records: Int?
        var readError: String?
        // Health answers even while a database server is down: the count waits 3 s at most.
        let store = self.store
        do { records = try await withDeadline(.seconds(3), "counting the records of \(store.description)") { try await store.count() } } catch {
            readError = String(describing: error)
        }
        let (status, reason) = Health.status(capture: capture, readError: readError, now: Date())
        return Health(
            status: status,
            reason: reason,
            version: LLMTraceVersion.current,
            uptimeSeconds: Date().timeIntervalSince(startedAt).rounded(),
            store: store.description,
            records: records,
            storeError: readError ?? (status == "degraded" ? capture.lastStoreError : nil),
            capture: capture,
            retention: retention.health,
            cluster: cluster?.health,
            prices: prices.modelCount,
            pricesError: prices.loadError,
            forwardProxy: forward?.health
        )
    }
}
