import Foundation

/// Local wall-clock arithmetic for many dates in one zone, fast enough for a million rows:
/// the zone's offset is looked up once per quarter hour of UTC (every real zone changes its
/// clocks on a quarter hour), so the offset is right on both sides of a clock change.
struct LocalClock {
    let timeZone: TimeZone
    private var bucket = Int64.min
    private var offset = 0

    init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// Seconds since 1970-01-01 00:00 on the local wall clock.
    mutating func localSeconds(_ date: Date) -> Int64 {
        let seconds = Int64((date.timeIntervalSince1970).rounded(.down))
        let key = seconds >= 0 ? seconds / 900 : (seconds - 899) / 900
        if key != bucket {
            bucket = key
            offset = timeZone.secondsFromGMT(for: date)
        }
        return seconds + Int64(offset)
    }

    /// The Excel serial of the local date and time (days since 1899-12-30, fraction of a day).
    mutating func excelSerial(_ date: Date) -> Double {
        let fraction = date.timeIntervalSince1970 - (date.timeIntervalSince1970).rounded(.down)
        return (Double(localSeconds(date)) + fraction) / 86_400 + 25_569
    }

    /// "dd/mm/yyyy HH:mm", as ``UKDateFormat/dateTime(_:)`` writes it.
    mutating func dateTimeText(_ date: Date) -> String {
        let local = localSeconds(date)
        var days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondsOfDay = local - days * 86_400
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let hour = secondsOfDay / 3600, minute = secondsOfDay % 3600 / 60
        var text = ""
        text.reserveCapacity(16)
        Self.two(day, &text); text += "/"; Self.two(month, &text); text += "/"
        text += String(year); text += " "
        Self.two(hour, &text); text += ":"; Self.two(minute, &text)
        return text
    }

    private static func two(_ value: Int64, _ text: inout String) {
        if value < 10 { text += "0" }
        text += String(value)
    }
}
