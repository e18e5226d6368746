import Foundation

/// A calendar day, independent of time zone.
public struct CalendarDay: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses a UK date, "dd/mm/yyyy" (also accepts "d/m/yyyy" and ISO "yyyy-mm-dd").
    /// Returns nil unless the day exists in the calendar.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts: [Substring]
        let iso = trimmed.contains("-")
        parts = trimmed.split(separator: iso ? "-" : "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else { return nil }
        let numbers = parts.compactMap { Int($0) }
        guard numbers.count == 3 else { return nil }
        let (y, m, d) = iso ? (numbers[0], numbers[1], numbers[2]) : (numbers[2], numbers[1], numbers[0])
        guard (iso ? parts[0] : parts[2]).count == 4 else { return nil }
        guard (1...12).contains(m), d >= 1, d <= CalendarDay.daysIn(month: m, year: y) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The day containing `date` in `timeZone`.
    public init(containing date: Date, in timeZone: TimeZone) {
        let parts = CalendarDay.calendar(timeZone).dateComponents([.year, .month, .day], from: date)
        self.init(year: parts.year!, month: parts.month!, day: parts.day!)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func calendar(_ timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// Local midnight at the start of this day in `timeZone` (correct on clock-change days).
    public func start(in timeZone: TimeZone) -> Date {
        let components = DateComponents(year: year, month: month, day: day, hour: 0, minute: 0, second: 0)
        return CalendarDay.calendar(timeZone).date(from: components)!
    }

    /// The day `count` days later (earlier when negative).
    public func adding(days count: Int) -> CalendarDay {
        let utc = TimeZone(identifier: "UTC")!
        let date = CalendarDay.calendar(utc).date(byAdding: .day, value: count, to: start(in: utc))!
        return CalendarDay(containing: date, in: utc)
    }

    /// The same day `count` months later (earlier when negative), on the month's last day
    /// when it is shorter (31/01 + 1 month = 28/02 or 29/02).
    public func adding(months count: Int) -> CalendarDay {
        let index = year * 12 + (month - 1) + count
        let newYear = index / 12, newMonth = index % 12 + 1
        return CalendarDay(year: newYear, month: newMonth, day: min(day, CalendarDay.daysIn(month: newMonth, year: newYear)))
    }

    /// The first day of this day's month.
    public var firstOfMonth: CalendarDay { CalendarDay(year: year, month: month, day: 1) }

    /// A number that increases by one per day (days since 1970-01-01).
    public var ordinal: Int {
        Int((start(in: TimeZone(identifier: "UTC")!).timeIntervalSince1970 / 86_400).rounded())
    }

    /// The day with the given ordinal (see ``ordinal``).
    public init(ordinal: Int) {
        self.init(containing: Date(timeIntervalSince1970: Double(ordinal) * 86_400), in: TimeZone(identifier: "UTC")!)
    }

    /// "dd/mm/yyyy".
    public var description: String {
        String(format: "%02d/%02d/%04d", day, month, year)
    }

    public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

/// A half-open span of time: `start <= t < end`. Nil bounds are open.
public struct TimeSpan: Sendable, Hashable {
    public var start: Date?
    public var end: Date?
    public init(start: Date?, end: Date?) {
        self.start = start
        self.end = end
    }
    public func contains(_ date: Date) -> Bool {
        (start.map { date >= $0 } ?? true) && (end.map { date < $0 } ?? true)
    }
}

/// The Date range filter.
public enum DateRangeChoice: Sendable, Hashable {
    case today, yesterday, last7Days, last30Days, thisMonth, lastMonth, all
    /// From the first day to the last day, both included.
    case custom(from: CalendarDay?, through: CalendarDay?)

    /// The named choices, in menu order.
    public static let named: [DateRangeChoice] = [.today, .yesterday, .last7Days, .last30Days, .thisMonth, .lastMonth, .all]

    /// Parses the CLI spelling ("today", "last-7-days", ...).
    public init?(argument: String) {
        let key = argument.lowercased().filter { $0.isLetter || $0.isNumber }
        switch key {
        case "today": self = .today
        case "yesterday": self = .yesterday
        case "last7days": self = .last7Days
        case "last30days": self = .last30Days
        case "thismonth": self = .thisMonth
        case "lastmonth": self = .lastMonth
        case "all": self = .all
        default: return nil
        }
    }

    /// Words for headers: "Today", "Last 7 days", "01/11/2026 – 15/11/2026".
    public var displayName: String {
        switch self {
        case .today: "Today"
        case .yesterday: "Yesterday"
        case .last7Days: "Last 7 days"
        case .last30Days: "Last 30 days"
        case .thisMonth: "This month"
        case .lastMonth: "Last month"
        case .all: "All dates"
        case .custom(let from, let through):
            switch (from, through) {
            case let (f?, t?): "\(f) – \(t)"
            case let (f?, nil): "From \(f)"
            case let (nil, t?): "Until \(t)"
            case (nil, nil): "All dates"
            }
        }
    }

    /// The first and last calendar days covered (nil when open-ended), as of `now`.
    public func days(now: Date, timeZone: TimeZone) -> (first: CalendarDay?, last: CalendarDay?) {
        let today = CalendarDay(containing: now, in: timeZone)
        switch self {
        case .today: return (today, today)
        case .yesterday: let y = today.adding(days: -1); return (y, y)
        case .last7Days: return (today.adding(days: -6), today)
        case .last30Days: return (today.adding(days: -29), today)
        case .thisMonth: return (today.firstOfMonth, today)
        case .lastMonth:
            let last = today.firstOfMonth.adding(days: -1)
            return (last.firstOfMonth, last)
        case .all: return (nil, nil)
        case .custom(let from, let through): return (from, through)
        }
    }

    /// The span of time covered, from local midnight of the first day to local midnight after the last.
    public func interval(now: Date, timeZone: TimeZone) -> TimeSpan {
        let (first, last) = days(now: now, timeZone: timeZone)
        return TimeSpan(start: first?.start(in: timeZone), end: last?.adding(days: 1).start(in: timeZone))
    }
}
