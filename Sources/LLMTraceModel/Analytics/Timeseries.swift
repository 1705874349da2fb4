import Foundation

/// `GET /api/timeseries`: fixed-width time buckets, empty ones included, oldest first.
public struct Timeseries: Codable, Sendable, Equatable {
    /// Bucket width in seconds.
    public var bucketSeconds: Int
    public var since: Date
    public var until: Date
    public var buckets: [Bucket]

    public struct Bucket: Codable, Sendable, Equatable {
        /// Start of the bucket.
        public var t: Date
        public var requests: Int
        public var promptTokens: Int
        public var completionTokens: Int
        public var estimatedCost: Double
        public var avgResponseTimeMs: Double?
        public var p95ResponseTimeMs: Double?
        public var errors: Int

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(t, forKey: .t)
            try c.encode(requests, forKey: .requests)
            try c.encode(promptTokens, forKey: .promptTokens)
            try c.encode(completionTokens, forKey: .completionTokens)
            try c.encode(estimatedCost, forKey: .estimatedCost)
            try c.encode(avgResponseTimeMs, forKey: .avgResponseTimeMs)
            try c.encode(p95ResponseTimeMs, forKey: .p95ResponseTimeMs)
            try c.encode(errors, forKey: .errors)
        }
    }

    /// Most buckets one request may ask for.
    public static let maxBuckets = 10_000

    /// Parses a bucket width such as `30s`, `1m`, `5m`, `1h`, `1d` into seconds.
    public static func parseBucket(_ s: String) -> Int? {
        if let n = Int(s) { return n > 0 ? n : nil }
        guard let unit = s.last, let n = Int(s.dropLast()), n > 0 else { return nil }
        switch unit {
        case "s": return n
        case "m": return n * 60
        case "h": return n * 3600
        case "d": return n * 86400
        default: return nil
        }
    }
}

/// Builds a ``Timeseries`` from samples in one pass.
public struct TimeseriesAccumulator: Sendable {
    private let bucketSeconds: Int
    private let since: Date
    private let until: Date
    private var buckets: [StatsGroup]

    /// Buckets of `bucketSeconds` from `since` (rounded down to a bucket boundary) to `until`.
    /// Fails when that would be more than ``Timeseries/maxBuckets`` buckets.
    public init?(bucketSeconds: Int, since: Date, until: Date) {
        guard let layout = Timeseries.layout(bucketSeconds: bucketSeconds, since: since, until: until) else { return nil }
        self.bucketSeconds = bucketSeconds
        self.since = layout.start
        self.until = until
        buckets = Array(repeating: StatsGroup(), count: layout.count)
    }

    public mutating func add(_ s: StatsSample) {
        let i = Int((s.startedAt.timeIntervalSince(since) / Double(bucketSeconds)).rounded(.down))
        guard i >= 0, i < buckets.count, s.startedAt < until else { return }
        buckets[i].add(s)
    }

    public var timeseries: Timeseries {
        Timeseries(bucketSeconds: bucketSeconds, since: since, until: until, aggregates: buckets.map(\.aggregate))
    }
}
