import LLMTraceModel

/// How a write moves the hourly rollups: the samples of the records it replaces or deletes subtracted,
/// those of the records it writes added, per ``RollupKey``. Every store computes this the same way; only
/// reading the current rows and writing the new ones is the engine's (``RollupLayout`` has the SQL):
///
/// 1. for each record written, ``subtract(_:)`` the sample of the row it replaces (if any) and
///    ``add(_:)`` its own; for each record deleted, ``subtract(_:)`` its sample;
/// 2. in the same transaction, read the current rollup rows of ``keys``, in that order (in engines where
///    several writers run at once, lock them: ``RollupLayout/insertEmptySQL(_:table:)`` then
///    ``RollupLayout/selectTotalsSQL(_:table:)``, which ends in `FOR UPDATE`);
/// 3. for each key, ``applied(to:key:)`` says the row to write, or `nil` for a row to delete.
struct RollupChanges: Sendable {
    private(set) var byKey: [RollupKey: RollupTotals] = [:]

    init() {}

    /// Counts `s` in its hour's row.
    mutating func add(_ s: StatsSample) {
        byKey[RollupKey(s), default: RollupTotals()].add(s)
    }

    /// Takes `s` out of its hour's row.
    mutating func subtract(_ s: StatsSample) {
        byKey[RollupKey(s), default: RollupTotals()].add(s, sign: -1)
    }

    /// The keys whose rows change, in a stable order (so concurrent writers lock rows in the same order).
    var keys: [RollupKey] {
        byKey.filter { !$0.value.isZero }.keys.sorted {
            ($0.hour, $0.env, $0.model == nil ? 0 : 1, $0.model ?? "") < ($1.hour, $1.env, $1.model == nil ? 0 : 1, $1.model ?? "")
        }
    }

    /// The row of `key` after this change, given its current totals (`nil` when it has none); `nil` when
    /// the row is left without records and must be deleted.
    func applied(to current: RollupTotals?, key: RollupKey) -> RollupTotals? {
        var t = current ?? RollupTotals()
        if let change = byKey[key] { t.merge(change) }
        return t.requests > 0 ? t : nil
    }
}
