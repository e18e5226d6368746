import Foundation

/// UK-style date and time text in the configured time zone.
public struct UKDateFormat: Sendable {
    public let timeZone: TimeZone

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// The default zone when none is configured.
    public static let defaultTimeZone = TimeZone(identifier: "Europe/London")!

    /// "dd/mm/yyyy HH:mm".
    public func dateTime(_ date: Date) -> String {
        let c = CalendarDay.calendar(timeZone).dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%02d/%02d/%04d %02d:%02d", c.day!, c.month!, c.year!, c.hour!, c.minute!)
    }

    /// "dd/mm HH:mm", the short form for narrow lists.
    public func shortDateTime(_ date: Date) -> String {
        let c = CalendarDay.calendar(timeZone).dateComponents([.month, .day, .hour, .minute], from: date)
        return String(format: "%02d/%02d %02d:%02d", c.day!, c.month!, c.hour!, c.minute!)
    }

    /// "HH:mm", for a list of a single day.
    public func time(_ date: Date) -> String {
        let c = CalendarDay.calendar(timeZone).dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d", c.hour!, c.minute!)
    }

    /// "dd/mm/yyyy HH:mm:ss", for status tracking where seconds matter.
    public func dateTimeSeconds(_ date: Date) -> String {
        let c = CalendarDay.calendar(timeZone).dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%02d/%02d/%04d %02d:%02d:%02d", c.day!, c.month!, c.year!, c.hour!, c.minute!, c.second!)
    }

    /// "dd/mm/yyyy".
    public func date(_ date: Date) -> String {
        CalendarDay(containing: date, in: timeZone).description
    }
}
