import Foundation
import Testing
@testable import Export

/// `created` in `query --format json` is written without a formatter; it must match
/// `ISO8601DateFormatter`'s default output exactly.
@Suite("ISO 8601 in UTC")
struct ISO8601UTCTests {
    @Test func matchesISO8601DateFormatter() {
        let formatter = ISO8601DateFormatter()
        // Every 7 hours 13 minutes 17.3 seconds from 1960 to 2100: leap days, year ends, fractions.
        var seconds = -315_619_200.0
        while seconds < 4_102_444_800 {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(ISO8601UTC.string(from: date) == formatter.string(from: date), "\(seconds)")
            if ISO8601UTC.string(from: date) != formatter.string(from: date) { return }
            seconds += 25_997.3
        }
        #expect(ISO8601UTC.string(from: Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
    }
}
