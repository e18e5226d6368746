import AuditCore
import Foundation

/// The creation times of a seeding run's emails, oldest first, made a window of days at a time
/// so that memory stays flat however many emails are seeded.
///
/// The times are the ones ``DemoEmailFactory/creationTimes(count:days:endingAt:timeZone:using:)``
/// returns, value for value, and the random numbers after them (``randomAfter``) are the same:
/// a random day among the last `days`, an hour weighted towards working hours, a random moment
/// in that hour, redrawn when it falls outside its local day (clock-change days) or after `now`.
/// Holding them all sorted took 8 bytes per email (80 MB at 10,000,000 emails, the largest
/// part of the benchmark build's memory); instead, a first pass over the random numbers counts
/// the times of each day, and each window of days about ``windowSize`` emails long is drawn
/// again from the same random numbers, keeping that window's times, and sorted. A pass costs
/// about as much as the times themselves (a few random numbers and sums per email), so a walk
/// over all of them costs one pass per window.
public struct CreationTimes: Sequence, Sendable {
    /// How many times there are.
    public let count: Int
    /// The random numbers after every time was drawn (the email factory carries on from them).
    public let randomAfter: SeededRandom
    /// The most times one window holds (at least one day's times are held together).
    public let windowSize: Int

    private let randomBefore: SeededRandom
    private let days: Int
    private let now: Date
    /// The start of the local day `k` days before `now`'s, for k in 0...days (index `k`), and
    /// at index 0 of ``nextStarts`` the start of the day after `now`'s.
    private let starts: [Date]
    /// `nextStarts[k]` is the start of the day after the one `k` days back (`starts[k - 1]`).
    private let nextStarts: [Date]
    /// The times falling on the day `k` days back (index `k`).
    private let perDay: [Int]

    /// The hour weights: working hours busier.
    private static let hourWeights: [Double] = (0..<24).map { hour in
        switch hour {
        case 8..<18: 10
        case 7, 18, 19: 4
        case 20..<23: 1.5
        default: 0.3
        }
    }

    /// `count` times spread over the `days` days before `now` (working hours busier), drawn
    /// from `random`, which is left where the last draw left it.
    public init(count: Int, days: Int, endingAt now: Date, timeZone: TimeZone, using random: inout SeededRandom,
                windowSize: Int = 500_000) {
        self.count = Swift.max(0, count)
        self.days = Swift.max(1, days)
        self.now = now
        self.windowSize = Swift.max(1, windowSize)
        randomBefore = random
        let today = CalendarDay(containing: now, in: timeZone)
        starts = (0...self.days).map { today.adding(days: -$0).start(in: timeZone) }
        nextStarts = [today.adding(days: 1).start(in: timeZone)] + starts.dropLast()
        var perDay = Array(repeating: 0, count: self.days)
        var counting = random
        Self.draw(count: self.count, days: self.days, now: now, starts: starts, nextStarts: nextStarts, random: &counting) { day, _ in
            perDay[day] += 1
        }
        self.perDay = perDay
        randomAfter = counting
        random = counting
    }

    /// Draws `count` accepted times, calling `accept` with each one's day (days back from
    /// `now`'s) and time, in the order drawn.
    private static func draw(count: Int, days: Int, now: Date, starts: [Date], nextStarts: [Date],
                             random: inout SeededRandom, accept: (Int, Date) -> Void) {
        let total = hourWeights.reduce(0, +)
        var accepted = 0
        while accepted < count {
            let day = Int.random(in: 0..<days, using: &random)
            var pick = Double.random(in: 0..<total, using: &random)
            var hour = 0
            while pick >= hourWeights[hour] { pick -= hourWeights[hour]; hour += 1 }
            let time = starts[day] + Double(hour) * 3600 + Double.random(in: 0..<3600, using: &random)
            // Inside its own local day (clock-change days are shorter) and not in the future.
            guard time < nextStarts[day], time <= now else { continue }
            accept(day, time)
            accepted += 1
        }
    }

    /// The first (oldest) time, if any (one pass over the random numbers).
    public var first: Date? {
        var iterator = makeIterator()
        return iterator.next()
    }

    public func makeIterator() -> Iterator { Iterator(times: self) }

    /// The times in order, a window at a time.
    public struct Iterator: IteratorProtocol {
        private let times: CreationTimes
        private var window: [Date] = []
        private var position = 0
        /// The oldest day not yet windowed, in days back from `now`'s (so it counts down).
        private var nextDay: Int

        init(times: CreationTimes) {
            self.times = times
            nextDay = times.days - 1
        }

        public mutating func next() -> Date? {
            while position == window.count {
                guard nextDay >= 0 else { return nil }
                fill()
            }
            defer { position += 1 }
            return window[position]
        }

        /// Draws the next window of days (oldest first) again and sorts its times.
        private mutating func fill() {
            let oldest = nextDay
            var held = times.perDay[nextDay]
            nextDay -= 1
            while nextDay >= 0, held + times.perDay[nextDay] <= times.windowSize {
                held += times.perDay[nextDay]
                nextDay -= 1
            }
            let newest = nextDay + 1
            // One buffer for every window, sized once (a new buffer per window left glibc's
            // heap holding two: the first is given back, later ones come from the heap).
            var buffer: [Date] = []
            swap(&buffer, &window)
            buffer.removeAll(keepingCapacity: true)
            buffer.reserveCapacity(Swift.max(held, Swift.min(times.windowSize, times.count)))
            position = 0
            if held > 0 {
                var random = times.randomBefore
                CreationTimes.draw(count: times.count, days: times.days, now: times.now, starts: times.starts,
                                   nextStarts: times.nextStarts, random: &random) { day, time in
                    if day >= newest && day <= oldest { buffer.append(time) }
                }
                buffer.sort()
            }
            window = buffer
        }
    }
}
