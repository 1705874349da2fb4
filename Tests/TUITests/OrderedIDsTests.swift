import Testing

@testable import TUI

@Suite struct OrderedIDsTests {
    @Test func keepsIdsNewestFirstUnderRandomInsertsAndRemovals() {
        var ids = OrderedIDs()
        var reference: [String] = []
        var rng = SystemRandomNumberGenerator()
        for step in 0..<5000 {
            let id = Fixtures.id(Int.random(in: 0..<3000, using: &rng))
            if step % 5 == 4, let victim = reference.randomElement(using: &rng) {
                let expected = reference.firstIndex(of: victim)
                #expect(ids.remove(victim) == expected)
                reference.removeAll { $0 == victim }
            } else {
                let expected = reference.contains(id) ? nil : reference.firstIndex { $0 < id } ?? reference.count
                #expect(ids.insert(id) == expected)
                if expected != nil { reference.insert(id, at: expected!) }
            }
        }
        #expect(ids.count == reference.count)
        #expect(ids.all == reference)
        for p in stride(from: 0, to: reference.count, by: 37) {
            #expect(ids[p] == reference[p])
            #expect(ids.position(of: reference[p]) == p)
        }
        #expect(ids.ids(in: 10..<25) == Array(reference[10..<25]))
        #expect(ids.ids(in: (reference.count - 3)..<(reference.count + 10)) == Array(reference.suffix(3)))
        #expect(ids.position(of: "nope") == nil)
    }

    @Test func bulkBuildMatchesInserts() {
        let all = (0..<2000).map { Fixtures.id($0 * 7 % 2000) }
        var inserted = OrderedIDs()
        for id in all { inserted.insert(id) }
        let built = OrderedIDs(all)
        #expect(built.all == inserted.all)
        #expect(built.all == all.sorted(by: >))
        #expect(built.insertionPosition(of: Fixtures.id(5000)) == 0)
        #expect(built.insertionPosition(of: "") == 2000)
    }
}
