import Foundation

/// How long emails are kept: the retention setting (`retention_months`, `compact --retention-months`).
public enum RetentionCut {
    /// The first instant kept when emails are kept for `months` calendar months: local midnight,
    /// in `timeZone`, at the start of the day `months` months before today (on the month's last
    /// day when it is shorter: 31/05 − 3 months = 28/02 or 29/02). Emails created before it go.
    /// Nil when `months` is 0 or less (keep everything).
    public static func cut(months: Int, now: Date, timeZone: TimeZone) -> Date? {
        guard months > 0 else { return nil }
        return CalendarDay(containing: now, in: timeZone).adding(months: -months).start(in: timeZone)
    }

    /// Parses a month count given by a person: a whole number from 0 (keep everything) up to
    /// 1200. Nil for anything else (negative, fractional, words).
    public static func months(parsing text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.allSatisfy(\.isASCII), trimmed.allSatisfy(\.isNumber),
              let value = Int(trimmed), (0...1200).contains(value) else { return nil }
        return value
    }
}
