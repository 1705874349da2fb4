import LLMTraceModel

/// What ``RollupAggregator`` reads from a store that keeps hourly rollups (``RollupLayout``) beside its
/// records: three plain queries any SQL engine can answer, whose SQL ``RollupLayout`` writes for each
/// ``SQLDialect``. ``SQLiteRollupSource`` is the SQLite one.
///
/// An aggregation makes a few calls in a row; a source whose calls all read one state of the database
/// (one snapshot or repeatable-read transaction) gives exact answers while records are being written,
/// others may mix the states before and after a concurrent write.
protocol RollupSource: Sendable {
    /// The rollup rows with `hours.lowerBound <= hour < hours.upperBound` (a bound is absent when `nil`)
    /// of the records `selection` names (its environment and model only; `selection.model` is `.any`
    /// or `.named`).
    func rollupRows(hours: RollupHours, _ selection: RecordSelection) async throws -> [RollupRow]

    /// The statistics samples of the records `selection` names (a range of at most two hours).
    func samples(_ selection: RecordSelection) async throws -> [StatsSample]

    /// For each lookup, the duration at position `offset` (0-based) among the durations, ascending, of the
    /// records in its ``DurationBins`` bin that its selection names; `nil` when there are not that many.
    func durations(_ lookups: [DurationLookup]) async throws -> [Double?]
}

/// Whole hours `[first, end)`, either end open when `nil`.
struct RollupHours: Sendable, Equatable {
    var first: Int?
    var end: Int?
}

/// One rollup row as read: its key, its totals (``RollupTotals/bins`` left empty) and its non-empty bins.
struct RollupRow: Sendable, Equatable {
    struct Bin: Sendable, Equatable {
        var bin: Int
        var count: Int
    }

    var key: RollupKey
    var totals: RollupTotals
    var bins: [Bin]
}

/// Which records a query reads: an environment, a model and a range of start times, each optional.
struct RecordSelection: Sendable, Hashable {
    /// How a selection matches the model.
    enum Model: Sendable, Hashable {
        /// Any model, or none.
        case any
        /// Exactly this model.
        case named(String)
        /// The statistics group "unknown": records without a model and those literally named `unknown`.
        case unknownGroup
    }

    var env: String?
    var model: Model = .any
    /// `started_at >= from` (Unix seconds).
    var from: Double?
    /// `started_at < to` (Unix seconds).
    var to: Double?
}

/// One percentile read: the `offset`-th smallest duration among the records of `bin` that `selection` names.
struct DurationLookup: Sendable, Hashable {
    var selection: RecordSelection
    var bin: Int
    var offset: Int
}
