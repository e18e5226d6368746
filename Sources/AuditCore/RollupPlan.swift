import Foundation

/// How both stores count a span of local days from their roll-up tables (daily, monthly and
/// yearly counts per account, raiser and status): whole years from the yearly table, whole
/// months at either end from the monthly one, and the days left over from the daily one, so
/// "All dates" sums one row per year × status × raiser however many years a store holds.
///
/// The periods are the integers both stores key their roll-ups by: a day is
/// ``CalendarDay/ordinal``, a month `year * 12 + month - 1`, a year the year.
public struct RollupPlan: Sendable, Equatable {
    /// An inclusive range of periods; nil at an end means open.
    public struct Range: Sendable, Equatable {
        public var low: Int?
        public var high: Int?
        public init(_ low: Int?, _ high: Int?) {
            self.low = low
            self.high = high
        }
    }

    /// The whole years to read from the yearly table, if any.
    public var years: Range?
    /// Ranges of whole months to read from the monthly table.
    public var months: [Range]
    /// Ranges of days to read from the daily table.
    public var days: [Range]

    public init(years: Range?, months: [Range], days: [Range]) {
        self.years = years
        self.months = months
        self.days = days
    }

    /// The month number (year * 12 + month - 1) of a day ordinal.
    public static func month(ofDay ordinal: Int) -> Int {
        let day = CalendarDay(ordinal: ordinal)
        return day.year * 12 + day.month - 1
    }

    /// The year of a month number (year * 12 + month - 1).
    public static func year(ofMonth month: Int) -> Int { month / 12 }

    /// The first day of a month number.
    public static func firstDay(ofMonth month: Int) -> CalendarDay {
        CalendarDay(year: month / 12, month: month % 12 + 1, day: 1)
    }

    /// How to count the days `first...last` (nil = open) from months and days only: a range of
    /// whole months (nil when none lies inside), and the day ranges left over at either end.
    public static func monthsAndDays(first: CalendarDay?, last: CalendarDay?) -> (months: Range?, days: [Range]) {
        let firstMonth: Int? = first.map { $0.day == 1 ? month(ofDay: $0.ordinal) : month(ofDay: $0.ordinal) + 1 }
        let lastMonth: Int? = last.map { day in
            let next = day.adding(days: 1)
            return next.day == 1 ? month(ofDay: day.ordinal) : month(ofDay: day.ordinal) - 1
        }
        if let a = firstMonth, let b = lastMonth, a > b {
            return (nil, [Range(first?.ordinal, last?.ordinal)])  // no whole month inside
        }
        var days: [Range] = []
        if let first, let a = firstMonth {
            let start = firstDay(ofMonth: a).ordinal
            if first.ordinal < start { days.append(Range(first.ordinal, start - 1)) }
        }
        if let last, let b = lastMonth {
            let end = firstDay(ofMonth: b + 1).ordinal - 1
            if last.ordinal > end { days.append(Range(end + 1, last.ordinal)) }
        }
        return (Range(firstMonth, lastMonth), days)
    }

    /// The plan for the days `first...last` (nil = open): a range of whole years, then ranges of
    /// whole months and of days for what is left at either end. Every day of the span falls in
    /// exactly one part.
    public static func covering(first: CalendarDay?, last: CalendarDay?) -> RollupPlan {
        let firstYear: Int? = first.map { $0.month == 1 && $0.day == 1 ? $0.year : $0.year + 1 }
        let lastYear: Int? = last.map { $0.month == 12 && $0.day == 31 ? $0.year : $0.year - 1 }
        if let a = firstYear, let b = lastYear, a > b {
            // No whole year inside: months and days only.
            let plan = monthsAndDays(first: first, last: last)
            return RollupPlan(years: nil, months: plan.months.map { [$0] } ?? [], days: plan.days)
        }
        var months: [Range] = [], days: [Range] = []
        if let first, let a = firstYear {
            let yearStart = CalendarDay(year: a, month: 1, day: 1)
            if first.ordinal < yearStart.ordinal {
                let edge = monthsAndDays(first: first, last: yearStart.adding(days: -1))
                if let m = edge.months { months.append(m) }
                days += edge.days
            }
        }
        if let last, let b = lastYear {
            let nextYear = CalendarDay(year: b + 1, month: 1, day: 1)
            if last.ordinal >= nextYear.ordinal {
                let edge = monthsAndDays(first: nextYear, last: last)
                if let m = edge.months { months.append(m) }
                days += edge.days
            }
        }
        return RollupPlan(years: Range(firstYear, lastYear), months: months, days: days)
    }

    /// The plan for a filter's date range as of `now` in the store's zone.
    public static func covering(_ range: DateRangeChoice, now: Date, timeZone: TimeZone) -> RollupPlan {
        let days = range.days(now: now, timeZone: timeZone)
        return covering(first: days.first, last: days.last)
    }
}
