import LLMTraceModel

/// Totals of one rollup row, or the change to apply to one (counts may be negative in a change).
struct RollupTotals: Equatable, Sendable {
    var requests = 0, prompt = 0, completion = 0, total = 0, errors = 0
    var cost = 0.0
    var finished = 0
    var durationSum = 0.0
    /// Records that reported tokens for a model without a price.
    var unpriced = 0
    /// Finished records by ``DurationBins`` bin: empty, or ``DurationBins/count`` long.
    var bins: [Int] = []

    mutating func addBin(_ bin: Int, _ n: Int) {
        if bins.isEmpty { bins = Array(repeating: 0, count: DurationBins.count) }
        bins[min(max(bin, 0), DurationBins.count - 1)] += n
    }

    mutating func add(_ s: StatsSample, sign: Int = 1) {
        requests += sign
        prompt += sign * (s.inputTokens ?? 0)
        completion += sign * (s.outputTokens ?? 0)
        total += sign * (s.totalTokens ?? ((s.inputTokens ?? 0) + (s.outputTokens ?? 0)))
        if s.isError { errors += sign }
        cost += Double(sign) * (s.estimatedCost ?? 0)
        if let d = s.durationMs, !d.isNaN {
            finished += sign
            durationSum += Double(sign) * d
            addBin(DurationBins.bin(d), sign)
        }
        if s.isUnpriced { unpriced += sign }
    }

    /// Adds everything but the bins.
    mutating func mergeTotals(_ o: RollupTotals) {
        requests += o.requests
        prompt += o.prompt
        completion += o.completion
        total += o.total
        errors += o.errors
        cost += o.cost
        finished += o.finished
        durationSum += o.durationSum
        unpriced += o.unpriced
    }

    mutating func merge(_ o: RollupTotals) {
        mergeTotals(o)
        for (b, n) in o.bins.enumerated() where n != 0 { addBin(b, n) }
    }

    var isZero: Bool {
        requests == 0 && prompt == 0 && completion == 0 && total == 0 && errors == 0 && finished == 0 && unpriced == 0
            && cost == 0 && durationSum == 0 && bins.allSatisfy { $0 == 0 }
    }

    /// Bins as bytes: for each non-empty bin, its number (2 bytes) and count (4 bytes), little-endian.
    /// The rollup table's `bins` column holds these bytes in every engine (``RollupLayout``).
    var encodedBins: [UInt8] {
        var out: [UInt8] = []
        for (b, n) in bins.enumerated() where n > 0 {
            withUnsafeBytes(of: UInt16(clamping: b).littleEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt32(clamping: n).littleEndian) { out.append(contentsOf: $0) }
        }
        return out
    }

    /// Calls `body(bin, count)` for each entry of ``encodedBins``.
    static func forEachBin(_ bytes: [UInt8], _ body: (Int, Int) -> Void) {
        var i = 0
        while i + 6 <= bytes.count {
            let b = UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8
            let n = UInt32(bytes[i + 2]) | UInt32(bytes[i + 3]) << 8 | UInt32(bytes[i + 4]) << 16 | UInt32(bytes[i + 5]) << 24
            body(Int(b), Int(n))
            i += 6
        }
    }

    /// The non-empty bins of ``encodedBins`` as `(bin, count)` pairs.
    static func decodeBins(_ bytes: [UInt8]) -> [RollupRow.Bin] {
        var out: [RollupRow.Bin] = []
        out.reserveCapacity(bytes.count / 6)
        forEachBin(bytes) { out.append(RollupRow.Bin(bin: $0, count: $1)) }
        return out
    }
}

extension StatsAggregate {
    mutating func merge(_ t: RollupTotals) {
        requests += t.requests
        promptTokens += t.prompt
        completionTokens += t.completion
        totalTokens += t.total
        errors += t.errors
        estimatedCost += t.cost
        finished += t.finished
        durationSum += t.durationSum
        if t.unpriced > 0 { unpriced = true }
    }
}
