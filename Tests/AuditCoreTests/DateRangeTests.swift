import Foundation
import Testing
@testable import AuditCore

@Suite("Date ranges in the configured time zone")
struct DateRangeTests {
    let london = TimeZone(identifier: "Europe/London")!

    func date(_ iso: String) -> Date {
        ISO8601DateFormatter().date(from: iso)!
    }

    @Test func parsesUKDates() {
        #expect(CalendarDay(parsing: "29/03/2026") == CalendarDay(year: 2026, month: 3, day: 29))
        #expect(CalendarDay(parsing: "1/2/2026") == CalendarDay(year: 2026, month: 2, day: 1))
        #expect(CalendarDay(parsing: "2026-11-30") == CalendarDay(year: 2026, month: 11, day: 30))
        #expect(CalendarDay(parsing: "31/02/2026") == nil)
        #expect(CalendarDay(parsing: "29/02/2028") != nil)
        #expect(CalendarDay(parsing: "12/31/2026") == nil)
        #expect(CalendarDay(parsing: "tomorrow") == nil)
        #expect(CalendarDay(parsing: "01/01/26") == nil)
        #expect(CalendarDay(year: 2026, month: 3, day: 9).description == "09/03/2026")
    }

    @Test func todayStartsAtLocalMidnightInSummer() {
        let now = date("2026-07-15T10:00:00Z")
        let span = DateRangeChoice.today.interval(now: now, timeZone: london)
        #expect(span.start == date("2026-07-14T23:00:00Z"))
        #expect(span.end == date("2026-07-15T23:00:00Z"))
    }

    @Test func clockChangeDaysAreTwentyThreeAndTwentyFiveHoursLong() {
        let spring = DateRangeChoice.custom(from: CalendarDay(year: 2026, month: 3, day: 29), through: CalendarDay(year: 2026, month: 3, day: 29))
            .interval(now: .now, timeZone: london)
        #expect(spring.end!.timeIntervalSince(spring.start!) == 23 * 3600)
        let autumn = DateRangeChoice.custom(from: CalendarDay(year: 2026, month: 10, day: 25), through: CalendarDay(year: 2026, month: 10, day: 25))
            .interval(now: .now, timeZone: london)
        #expect(autumn.end!.timeIntervalSince(autumn.start!) == 25 * 3600)
        #expect(autumn.start == date("2026-10-24T23:00:00Z"))
    }

    @Test func namedRangesAsOfAGivenDay() {
        let now = date("2026-11-30T09:00:00Z")
        let days = { (choice: DateRangeChoice) in choice.days(now: now, timeZone: london) }
        #expect(days(.yesterday).first == CalendarDay(year: 2026, month: 11, day: 29))
        #expect(days(.last7Days).first == CalendarDay(year: 2026, month: 11, day: 24))
        #expect(days(.last30Days).first == CalendarDay(year: 2026, month: 11, day: 1))
        #expect(days(.thisMonth).first == CalendarDay(year: 2026, month: 11, day: 1))
        #expect(days(.lastMonth).first == CalendarDay(year: 2026, month: 10, day: 1))
        #expect(days(.lastMonth).last == CalendarDay(year: 2026, month: 10, day: 31))
        #expect(days(.all).first == nil)
        #expect(DateRangeChoice(argument: "last-7-days") == .last7Days)
        #expect(DateRangeChoice(argument: "fortnight") == nil)
    }

    @Test func justAfterMidnightBelongsToTheNewLocalDay() {
        // 00:30 BST on 15 July is 23:30 UTC on 14 July.
        let now = date("2026-07-14T23:30:00Z")
        #expect(CalendarDay(containing: now, in: london) == CalendarDay(year: 2026, month: 7, day: 15))
        #expect(UKDateFormat(timeZone: london).dateTime(now) == "15/07/2026 00:30")
    }

    @Test func ordinalRoundTrips() {
        let day = CalendarDay(year: 2026, month: 10, day: 25)
        #expect(CalendarDay(ordinal: day.ordinal) == day)
        #expect(day.adding(days: 1).ordinal == day.ordinal + 1)
    }
}
