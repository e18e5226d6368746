import AuditCore
import Foundation
import Testing
@testable import Demo

/// The seeding's creation times made a window of days at a time (``CreationTimes``) against
/// the times held and sorted all at once, as the seeding made them before: the same values in
/// the same order, and the same random numbers left for the email factory.
@Suite("Creation times")
struct CreationTimesTests {
    /// The former `DemoEmailFactory.creationTimes`: every time drawn, held, then sorted.
    static func heldAndSorted(count: Int, days: Int, endingAt now: Date, timeZone: TimeZone,
                              using rng: inout SeededRandom) -> [Date] {
        let today = CalendarDay(containing: now, in: timeZone)
        let hourWeights: [Double] = (0..<24).map { hour in
            switch hour {
            case 8..<18: 10
            case 7, 18, 19: 4
            case 20..<23: 1.5
            default: 0.3
            }
        }
        let total = hourWeights.reduce(0, +)
        var times: [Date] = []
        while times.count < count {
            let day = today.adding(days: -Int.random(in: 0..<max(1, days), using: &rng))
            var pick = Double.random(in: 0..<total, using: &rng)
            var hour = 0
            while pick >= hourWeights[hour] { pick -= hourWeights[hour]; hour += 1 }
            let start = day.start(in: timeZone)
            let time = start + Double(hour) * 3600 + Double.random(in: 0..<3600, using: &rng)
            guard CalendarDay(containing: time, in: timeZone) == day, time <= now else { continue }
            times.append(time)
        }
        times.sort()
        return times
    }

    static let london = TimeZone(identifier: "Europe/London")!
    /// 13:30 UTC on 05/04/2026: 40 days back reach over the clock change of 29/03/2026.
    static let now = Date(timeIntervalSince1970: 1_775_395_800)

    @Test(arguments: [1, 7, 100, 5_000])
    func theWindowsGiveTheTimesHeldAndSorted(windowSize: Int) {
        var before = SeededRandom(seed: 11)
        let expected = Self.heldAndSorted(count: 3_000, days: 40, endingAt: Self.now, timeZone: Self.london, using: &before)
        var random = SeededRandom(seed: 11)
        let times = CreationTimes(count: 3_000, days: 40, endingAt: Self.now, timeZone: Self.london, using: &random,
                                  windowSize: windowSize)
        #expect(Array(times) == expected)
        #expect(times.first == expected.first)
        #expect(times.count == 3_000)
        // The factory carries on from the same random numbers.
        #expect(random.next() == before.next())
        var after = times.randomAfter
        var again = SeededRandom(seed: 11)
        _ = Self.heldAndSorted(count: 3_000, days: 40, endingAt: Self.now, timeZone: Self.london, using: &again)
        #expect(after.next() == again.next())
    }

    @Test func aSecondWalkGivesTheSameTimes() {
        var random = SeededRandom(seed: 5)
        let times = CreationTimes(count: 500, days: 9, endingAt: Self.now, timeZone: Self.london, using: &random, windowSize: 60)
        #expect(Array(times) == Array(times))
        #expect(Array(times).count == 500)
    }

    @Test func theClockChangeDayKeepsItsTimesInsideIt() {
        var random = SeededRandom(seed: 2)
        // 29/03/2026 in London has 23 hours; one day of history ending late that day.
        let lateOnTheDay = Date(timeIntervalSince1970: 1_774_821_600)  // 22:00 UTC = 23:00 BST
        let times = Array(CreationTimes(count: 400, days: 1, endingAt: lateOnTheDay, timeZone: Self.london, using: &random, windowSize: 50))
        let day = CalendarDay(containing: lateOnTheDay, in: Self.london)
        #expect(times.count == 400)
        #expect(times.allSatisfy { CalendarDay(containing: $0, in: Self.london) == day && $0 <= lateOnTheDay })
        #expect(times == times.sorted())
    }

    @Test func noTimesMakeAnEmptyWalk() {
        var random = SeededRandom(seed: 1)
        let times = CreationTimes(count: 0, days: 30, endingAt: Self.now, timeZone: Self.london, using: &random)
        #expect(Array(times).isEmpty)
        #expect(times.first == nil)
    }
}
