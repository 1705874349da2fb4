/// Fixtures shared by the test targets: deterministic randomness and the chunkings every stream parser
/// is fed, so a parser fed in pieces can be required to give what it gives for the whole input.

public enum Chunking {
    /// Cuts `bytes` into random pieces of 1...maxPiece bytes (seeded).
    public static func random(_ bytes: [UInt8], seed: UInt64, maxPiece: Int) -> [[UInt8]] {
        var rng = SeededRandom(seed: seed)
        var pieces: [[UInt8]] = []
        var i = 0
        while i < bytes.count {
            let n = Int.random(in: 1...max(1, maxPiece), using: &rng)
            let end = min(bytes.count, i + n)
            pieces.append(Array(bytes[i..<end]))
            i = end
        }
        return pieces
    }

    /// The chunkings every transcript is checked under: whole, one byte at a time, and random pieces.
    public static func all(_ bytes: [UInt8]) -> [[[UInt8]]] {
        var result: [[[UInt8]]] = [[bytes], bytes.map { [$0] }]
        for (seed, maxPiece) in [(1, 2), (2, 5), (3, 17), (4, 64), (5, 300), (6, 4096)] as [(UInt64, Int)] {
            result.append(random(bytes, seed: seed, maxPiece: maxPiece))
        }
        return result
    }
}
