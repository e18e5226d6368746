import Testing
@testable import AuditStore

/// The binary search the Subject walks test candidates with.
struct SortedIDsTests {
    @Test func findsExactlyTheIdsHeld() {
        var generator = SystemRandomNumberGenerator()
        for size in [0, 1, 2, 3, 17, 1_000] {
            let ids = (0..<size).map { _ in Int64.random(in: -50...5_000, using: &generator) }
            let sorted = Array(Set(ids)).sorted()
            let held = Set(sorted)
            for probe in Int64(-60)...5_010 {
                #expect(sorted.sortedContains(probe) == held.contains(probe), "\(probe) in \(sorted.count) ids")
            }
        }
        #expect([Int64.min, 0, Int64.max].sortedContains(Int64.max))
        #expect(![Int64.min, 0, Int64.max].sortedContains(1))
    }
}
