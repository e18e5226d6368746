import Foundation

/// The times an event from outside may carry, and conversions of outside numbers that can
/// never trap.
///
/// A provider event is dated between 01/01/2000 and one day after now: anything else (a year
/// 33658 from a timestamp in milliseconds, `1e300`, a negative number) is refused as a
/// line/field error instead of sitting at the top of the list for ever or crashing a
/// conversion to a whole number.
public enum PlausibleTime {
    /// 2000-01-01T00:00:00Z, in seconds since 1970.
    public static let earliestSeconds: Double = 946_684_800
    /// How far past now an event may be dated (clocks differ a little).
    public static let allowedFuture: TimeInterval = 86_400

    /// The seconds since 1970 an event may carry when it is `now`.
    public static func window(now: Date) -> ClosedRange<Double> {
        earliestSeconds...max(earliestSeconds, now.timeIntervalSince1970 + allowedFuture)
    }

    /// Whether `seconds` since 1970 is a plausible event time at `now`.
    public static func contains(_ seconds: Double, now: Date) -> Bool {
        seconds.isFinite && window(now: now).contains(seconds)
    }

    /// The problem with `seconds` as an event time at `now`, for a one-line error; nil when it is fine.
    public static func problem(with seconds: Double, now: Date) -> String? {
        guard !contains(seconds, now: now) else { return nil }
        let shown = seconds.isFinite && abs(seconds) < 1e15 ? String(format: "%.0f", seconds) : "\(seconds)"
        let latest = UKDateFormat(timeZone: TimeZone(identifier: "UTC")!).dateTime(Date(timeIntervalSince1970: window(now: now).upperBound))
        return "\(shown) is not a plausible time (expected seconds since 1970 between 01/01/2000 and \(latest) UTC)"
    }

    /// `value` rounded to a whole number and clamped to Int64's range (NaN gives 0):
    /// a conversion of an outside number that cannot trap.
    public static func clampedInt64(_ value: Double) -> Int64 {
        guard value.isFinite else { return value.isNaN ? 0 : (value < 0 ? .min : .max) }
        let rounded = value.rounded()
        // 2^63 is exactly representable; every Double below it (and at or above -2^63) converts.
        if rounded >= 9_223_372_036_854_775_808.0 { return .max }
        if rounded < -9_223_372_036_854_775_808.0 { return .min }
        return Int64(rounded)
    }
}
