import Foundation

/// One session (an agent run, a conversation) with its totals over its turns: what `/api/sessions`
/// lists and `/api/sessions/{id}` heads its turns with. Token and cost sums count only the turns that
/// reported them; `nil` when none did.
public struct SessionSummary: Codable, Sendable, Equatable {
    public var id: String
    /// The env of its turns (a session's turns share one; the smallest name if they do not).
    public var env: String
    public var turns: Int
    /// Turns that failed (``TraceSummary/isError``).
    public var errors: Int
    public var inputTokens: Int?
    public var outputTokens: Int?
    public var cachedInputTokens: Int?
    public var reasoningTokens: Int?
    /// Each turn's total (the provider's, else input + output), summed.
    public var totalTokens: Int?
    public var cost: Double?
    /// The turns' durations summed: the time spent waiting on the model.
    public var durationMs: Double?
    /// When its first turn started.
    public var startedAt: Date
    /// When its last turn ended (or started, while it is in flight).
    public var lastActivityAt: Date
    /// The models its turns used, sorted.
    public var models: [String]

    public init(
        id: String,
        env: String,
        turns: Int,
        errors: Int = 0,
        inputTokens: Int? = nil,
        outputTokens: Int? = nil,
        cachedInputTokens: Int? = nil,
        reasoningTokens: Int? = nil,
        totalTokens: Int? = nil,
        cost: Double? = nil,
        durationMs: Double? = nil,
        startedAt: Date,
        lastActivityAt: Date,
        models: [String] = []
    ) {
        self.id = id
        self.env = env
        self.turns = turns
        self.errors = errors
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.reasoningTokens = reasoningTokens
        self.totalTokens = totalTokens
        self.cost = cost
        self.durationMs = durationMs
        self.startedAt = startedAt
        self.lastActivityAt = lastActivityAt
        self.models = models
    }

    /// From the first turn's start to the last turn's end, in milliseconds.
    public var wallMs: Double { max(0, lastActivityAt.timeIntervalSince(startedAt) * 1000) }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(env, forKey: .env)
        try c.encode(turns, forKey: .turns)
        try c.encode(errors, forKey: .errors)
        try c.encode(inputTokens, forKey: .inputTokens)
        try c.encode(outputTokens, forKey: .outputTokens)
        try c.encode(cachedInputTokens, forKey: .cachedInputTokens)
        try c.encode(reasoningTokens, forKey: .reasoningTokens)
        try c.encode(totalTokens, forKey: .totalTokens)
        try c.encode(cost, forKey: .cost)
        try c.encode(durationMs, forKey: .durationMs)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(lastActivityAt, forKey: .lastActivityAt)
        try c.encode(models, forKey: .models)
    }
}

/// Adds up turns into ``SessionSummary``s: the reference every store's session list agrees with.
public struct SessionAccumulator: Sendable {
    private var sessions: [String: SessionSummary] = [:]
    private var models: [String: Set<String>] = [:]

    public init() {}

    /// Counts `s` in its session; a sample without one is ignored.
    public mutating func add(_ s: StatsSample) {
        guard let id = s.sessionId else { return }
        // As SQL adds it up: Unix seconds plus the duration in seconds.
        let end = Date(timeIntervalSince1970: s.startedAt.timeIntervalSince1970 + (s.durationMs ?? 0) / 1000.0)
        var t = sessions[id] ?? SessionSummary(id: id, env: s.env, turns: 0, startedAt: s.startedAt, lastActivityAt: end)
        t.env = min(t.env, s.env)
        t.turns += 1
        if s.isError { t.errors += 1 }
        func plus(_ a: Int?, _ b: Int?) -> Int? { b.map { (a ?? 0) + $0 } ?? a }
        t.inputTokens = plus(t.inputTokens, s.inputTokens)
        t.outputTokens = plus(t.outputTokens, s.outputTokens)
        t.cachedInputTokens = plus(t.cachedInputTokens, s.cachedInputTokens)
        t.reasoningTokens = plus(t.reasoningTokens, s.reasoningTokens)
        t.totalTokens = (t.totalTokens ?? 0) + s.tokens
        if let c = s.estimatedCost, c.isFinite { t.cost = (t.cost ?? 0) + c }
        if let d = s.durationMs, d.isFinite { t.durationMs = (t.durationMs ?? 0) + d }
        t.startedAt = min(t.startedAt, s.startedAt)
        t.lastActivityAt = max(t.lastActivityAt, end)
        sessions[id] = t
        if let m = s.model { models[id, default: []].insert(m) }
    }

    /// The sessions of at least `minTurns` turns, most recently active first (ties by id), at most `limit`.
    public func sessions(minTurns: Int = 1, limit: Int = .max) -> [SessionSummary] {
        let all = sessions.values.filter { $0.turns >= minTurns }.map { s -> SessionSummary in
            var s = s
            s.models = (models[s.id] ?? []).sorted()
            return s
        }
        return Array(all.sorted { ($0.lastActivityAt, $0.id) > ($1.lastActivityAt, $1.id) }.prefix(limit))
    }
}

/// A session and its turns, oldest first: `GET /api/sessions/{id}`.
public struct SessionDetail: Codable, Sendable, Equatable {
    public var session: SessionSummary
    public var turns: [TraceSummary]

    public init(session: SessionSummary, turns: [TraceSummary]) {
        self.session = session
        self.turns = turns
    }
}

/// A list of sessions: `GET /api/sessions`.
public struct SessionList: Codable, Sendable, Equatable {
    public var items: [SessionSummary]

    public init(items: [SessionSummary]) {
        self.items = items
    }
}
