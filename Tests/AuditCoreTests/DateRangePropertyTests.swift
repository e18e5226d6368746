import Foundation
import PropertyBased
import Testing
@testable import AuditCore

/// Properties of local days and date ranges in Europe/London over generated instants from 1990
/// to 2060 (clock changes included). Failures shrink and print their seed.
@Suite("Date range properties")
struct DateRangePropertyTests {
    let london = UKDateFormat.defaultTimeZone
    /// Instants from 01/01/1990 to 01/01/2060, to the second.
    static func instants() -> Generator<Date, some Sequence & SendableMetatype> {
        Gen.int(in: 631_152_000...2_840_140_800).map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    @Test func everyInstantLiesInItsLocalDay() async {
        await propertyCheck(count: 2_000, input: Self.instants()) { instant in
            let day = CalendarDay(containing: instant, in: london)
            #expect(day.start(in: london) <= instant, "\(instant) before the start of \(day)")
            #expect(instant < day.adding(days: 1).start(in: london), "\(instant) after the end of \(day)")
            #expect(CalendarDay(ordinal: day.ordinal) == day)
        }
    }

    @Test func customRangesHoldExactlyTheirDays() async {
        await propertyCheck(count: 1_000, input: Self.instants(), Gen.int(in: -40...40), Gen.int(in: 0...40)) {
            instant, fromOffset, length in
            let now = instant
            let today = CalendarDay(containing: now, in: london)
            let from = today.adding(days: fromOffset), through = from.adding(days: length)
            let span = DateRangeChoice.custom(from: from, through: through).interval(now: now, timeZone: london)
            // The first and last instants of the range are in it; those just outside are not.
            #expect(span.contains(from.start(in: london)))
            #expect(span.contains(through.adding(days: 1).start(in: london).addingTimeInterval(-0.001)))
            #expect(!span.contains(from.start(in: london).addingTimeInterval(-0.001)))
            #expect(!span.contains(through.adding(days: 1).start(in: london)))
        }
    }

    @Test func namedRangesEndAfterTheirStartAndHoldTheirLastDay() async {
        await propertyCheck(count: 1_000, input: Self.instants(), Gen.int(in: 0...(DateRangeChoice.named.count - 1))) { now, index in
            let choice = DateRangeChoice.named[index]
            let span = choice.interval(now: now, timeZone: london)
            if let start = span.start, let end = span.end { #expect(start < end, "\(choice) at \(now)") }
            let days = choice.days(now: now, timeZone: london)
            if let last = days.last { #expect(span.contains(last.start(in: london)), "\(choice) at \(now)") }
        }
    }
}
