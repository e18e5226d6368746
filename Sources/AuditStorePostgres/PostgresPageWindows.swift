import AuditCore
import Foundation

/// A span of `created_at` one page statement reads: `low <= created_at < high` (nil: open), its
/// ends local month boundaries of the store's zone, so that they are the month partitions'
/// bounds.
struct PostgresPageWindow: Equatable, Sendable {
    var low: Date?
    var high: Date?
}

/// The windows a page is read in, newest first when paging older (oldest first when paging
/// newer), disjoint and together covering every time: the month of the cursor (or of the span's
/// end, or of `now`), then the next 1, 2, 4 and 8 months, then everything further.
///
/// Why: a statement over all of `emails` is planned for every month partition (and every
/// index of each) before it reads its few rows. At 1,000,000 emails over 39 partitions the
/// first page over all dates took 3.6-19 ms to plan and 0.2-0.35 ms to read; bounded to one
/// month it plans in about 0.4 ms. The bounds are bound as plain `timestamptz` values (not
/// an expression), so the planner prunes the partitions outside the window when it plans.
/// Most pages fill from the first window; a rare filter reads a few more statements, the last
/// of them over every partition left (as one statement over all dates did before).
///
/// Windows never split a month partition: the bounds come from `Calendar` in the partitions'
/// zone (`store_meta.partition_time_zone`, the store's `timeZone`), as
/// `email_audit_create_month_partitions` cuts them. Were they to differ, the answers would not
/// change (the windows still cover every time exactly once); only pruning would.
enum PostgresPageWindows {
    /// After the first window, this many more bounded ones (1, 2, 4 and 8 months), then the rest.
    static let boundedAfterFirst = 4

    /// One window over every time of `windows` (``windows(span:cursor:older:now:timeZone:)``'s:
    /// disjoint and adjacent), open where any of them is.
    static func union(_ windows: [PostgresPageWindow]) -> PostgresPageWindow {
        let lows = windows.map(\.low), highs = windows.map(\.high)
        return PostgresPageWindow(low: lows.contains(nil) ? nil : lows.compactMap { $0 }.min(),
                                  high: highs.contains(nil) ? nil : highs.compactMap { $0 }.max())
    }

    /// `windows` (``windows(span:cursor:older:now:timeZone:)``'s, in reading order) joined into
    /// fewer: the first reaches at least `seconds` past `edge`, each next one `growth` times
    /// further than the one before was meant to; the last holds whatever is left.
    static func grouped(_ windows: [PostgresPageWindow], reaching seconds: TimeInterval, growth: Double, from edge: Date,
                        older: Bool) -> [PostgresPageWindow] {
        func reach(_ window: PostgresPageWindow) -> TimeInterval {
            (older ? window.low.map { edge.timeIntervalSince($0) } : window.high.map { $0.timeIntervalSince(edge) }) ?? .infinity
        }
        var groups: [PostgresPageWindow] = [], start = 0, target = seconds
        while start < windows.count {
            var end = start + 1
            while end < windows.count && reach(windows[end - 1]) < target { end += 1 }
            groups.append(union(Array(windows[start..<end])))
            start = end
            target *= growth
        }
        return groups
    }

    /// The windows for a page of `span` from `cursor` (nil: the first page), in reading order.
    static func windows(span: TimeSpan, cursor: EmailCursor?, older: Bool, now: Date, timeZone: TimeZone) -> [PostgresPageWindow] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        func monthStart(_ date: Date) -> Date? { calendar.dateInterval(of: .month, for: date)?.start }
        func adding(_ months: Int, to date: Date) -> Date? { calendar.date(byAdding: .month, value: months, to: date) }
        // The month start at or before the span's start, and the month start after its end
        // (the outermost bounds, so that the planner prunes past them too).
        let floor = span.start.flatMap(monthStart)
        let ceiling = span.end.flatMap { monthStart($0.addingTimeInterval(-0.000_001)) }.flatMap { adding(1, to: $0) }

        if older {
            let anchor = [cursor?.createdAt, span.end?.addingTimeInterval(-0.000_001)].compactMap { $0 }.min() ?? now
            guard let first = monthStart(anchor), let next = adding(1, to: first) else { return [PostgresPageWindow(low: floor, high: ceiling)] }
            // Without a cursor or an end, newer months (emails dated after `now`) belong to the first window.
            let top = cursor != nil || span.end != nil ? next : nil
            if let floor, first <= floor { return [PostgresPageWindow(low: floor, high: top)] }
            var windows = [PostgresPageWindow(low: first, high: top)]
            var high = first, width = 1
            for _ in 0..<boundedAfterFirst {
                guard let low = adding(-width, to: high) else { break }
                if let floor, low <= floor { windows.append(PostgresPageWindow(low: floor, high: high)); return windows }
                windows.append(PostgresPageWindow(low: low, high: high))
                high = low
                width *= 2
            }
            windows.append(PostgresPageWindow(low: floor, high: high))
            return windows
        }
        guard let anchor = [cursor?.createdAt, span.start].compactMap({ $0 }).max(), let first = monthStart(anchor),
              var low = adding(1, to: first) else { return [PostgresPageWindow(low: floor, high: ceiling)] }
        if let ceiling, low >= ceiling { return [PostgresPageWindow(low: first, high: ceiling)] }
        var windows = [PostgresPageWindow(low: first, high: low)]
        var width = 1
        for _ in 0..<boundedAfterFirst {
            guard let high = adding(width, to: low) else { break }
            if let ceiling, high >= ceiling { windows.append(PostgresPageWindow(low: low, high: ceiling)); return windows }
            windows.append(PostgresPageWindow(low: low, high: high))
            low = high
            width *= 2
        }
        windows.append(PostgresPageWindow(low: low, high: ceiling))
        return windows
    }
}
