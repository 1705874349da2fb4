/// Record ids kept sorted newest first (descending: ids sort by start time), with access by position.
///
/// Stored as a list of sorted chunks of at most ``maxChunk`` ids: finding, inserting and removing an
/// id is a binary search over chunks plus one inside a chunk (O(log n)) and a shift of at most
/// ``maxChunk`` ids; reading the id at a position walks the chunk sizes (n / 512 steps, a few hundred
/// for 100 000 ids). Rendering only ever reads the few positions on screen.
public struct OrderedIDs: Sendable, Equatable {
    /// Largest chunk before it is split in two.
    public static let maxChunk = 512

    /// Chunks in order, each sorted descending, each non-empty.
    private var chunks: [[String]] = []
    public private(set) var count = 0

    public init() {}

    /// Builds the list from ids in any order (duplicates are dropped).
    public init(_ ids: some Sequence<String>) {
        var all = Array(Set(ids))
        all.sort(by: >)
        self.init(sortedDescending: all)
    }

    /// Builds the list from ids already sorted newest first, without duplicates.
    public init(sortedDescending ids: [String]) {
        count = ids.count
        let half = Self.maxChunk / 2
        var i = 0
        while i < ids.count {
            let end = min(ids.count, i + half)
            chunks.append(Array(ids[i..<end]))
            i = end
        }
    }

    public var isEmpty: Bool { count == 0 }

    /// The id at `position` (0 = newest).
    public subscript(position: Int) -> String {
        precondition(position >= 0 && position < count, "OrderedIDs position out of range")
        var p = position
        for chunk in chunks {
            if p < chunk.count { return chunk[p] }
            p -= chunk.count
        }
        preconditionFailure("OrderedIDs is inconsistent")
    }

    /// The ids at positions `range` (clamped), in order.
    public func ids(in range: Range<Int>) -> [String] {
        let lo = max(0, range.lowerBound)
        let hi = min(count, range.upperBound)
        guard lo < hi else { return [] }
        var out: [String] = []
        out.reserveCapacity(hi - lo)
        var base = 0
        for chunk in chunks {
            let chunkEnd = base + chunk.count
            if chunkEnd > lo {
                let from = max(lo, base) - base
                let to = min(hi, chunkEnd) - base
                out.append(contentsOf: chunk[from..<to])
                if chunkEnd >= hi { break }
            }
            base = chunkEnd
        }
        return out
    }

    /// The position of `id`, or `nil` when it is not in the list.
    public func position(of id: String) -> Int? {
        guard let c = chunkIndex(for: id) else { return nil }
        let chunk = chunks[c]
        let i = Self.insertionIndex(of: id, in: chunk)
        guard i < chunk.count, chunk[i] == id else { return nil }
        return offset(ofChunk: c) + i
    }

    /// Where `id` is or would be inserted: the number of ids newer than it.
    public func insertionPosition(of id: String) -> Int {
        guard let c = chunkIndex(for: id) else { return count }
        return offset(ofChunk: c) + Self.insertionIndex(of: id, in: chunks[c])
    }

    public func contains(_ id: String) -> Bool { position(of: id) != nil }

    /// Inserts `id`; returns its position, or `nil` when it was already there.
    @discardableResult
    public mutating func insert(_ id: String) -> Int? {
        guard !chunks.isEmpty else {
            chunks = [[id]]
            count = 1
            return 0
        }
        let c = chunkIndex(for: id) ?? (chunks.count - 1)
        let i = Self.insertionIndex(of: id, in: chunks[c])
        if i < chunks[c].count, chunks[c][i] == id { return nil }
        let position = offset(ofChunk: c) + i
        chunks[c].insert(id, at: i)
        count += 1
        if chunks[c].count > Self.maxChunk {
            let upper = Array(chunks[c][(Self.maxChunk / 2)...])
            chunks[c].removeSubrange((Self.maxChunk / 2)...)
            chunks.insert(upper, at: c + 1)
        }
        return position
    }

    /// Removes `id`; returns the position it had, or `nil` when it was not there.
    @discardableResult
    public mutating func remove(_ id: String) -> Int? {
        guard let c = chunkIndex(for: id) else { return nil }
        let i = Self.insertionIndex(of: id, in: chunks[c])
        guard i < chunks[c].count, chunks[c][i] == id else { return nil }
        let position = offset(ofChunk: c) + i
        chunks[c].remove(at: i)
        count -= 1
        if chunks[c].isEmpty { chunks.remove(at: c) }
        return position
    }

    public mutating func removeAll() {
        chunks = []
        count = 0
    }

    /// All ids, newest first.
    public var all: [String] { chunks.flatMap { $0 } }

    // MARK: Internals

    /// The chunk that holds `id` or where it belongs: the first chunk whose smallest (last) id is
    /// not greater than `id`; `nil` when `id` is older than everything (it belongs after the end).
    private func chunkIndex(for id: String) -> Int? {
        var lo = 0
        var hi = chunks.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if chunks[mid][chunks[mid].count - 1] <= id { hi = mid } else { lo = mid + 1 }
        }
        return lo < chunks.count ? lo : nil
    }

    /// First index in a descending chunk whose id is not greater than `id`.
    private static func insertionIndex(of id: String, in chunk: [String]) -> Int {
        var lo = 0
        var hi = chunk.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if chunk[mid] > id { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    private func offset(ofChunk c: Int) -> Int {
        var n = 0
        for k in 0..<c { n += chunks[k].count }
        return n
    }
}
