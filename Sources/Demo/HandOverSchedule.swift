import Foundation

/// The batch steps of a seeding run, worked out ahead: when each batch falls, whether the
/// engine hands over at it, and how many emails have been created by then.
///
/// ``DemoSeeder/run(_:options:simulator:factory:times:rng:progress:step:)`` advances a manual
/// clock by the batch interval (the last step stops at the end of the span), records the
/// emails created by each step and ticks the engine, which hands over when a batch is due
/// (the first tick, then once the interval has passed since the last hand-over; so a last,
/// shorter step does not hand over). The bulk seeding replays exactly these steps.
struct HandOverSchedule: Sendable {
    /// One batch step.
    struct Step: Sendable, Equatable {
        /// The clock at this step.
        var time: Date
        /// Whether the engine hands the Pending emails over at this step.
        var handsOver: Bool
        /// Emails created at or before `time` (an index into the creation times).
        var emailsCreated: Int
    }

    let steps: [Step]

    /// The steps for emails created at `times` (oldest first), from just before the first of
    /// them to `now`, every `interval`. Walks `times` once.
    init(times: some Sequence<Date>, now: Date, interval: TimeInterval) {
        var upcoming = times.makeIterator()
        var nextTime = upcoming.next()
        let start = (nextTime ?? now) - 1
        var steps: [Step] = []
        var step = start
        var next = 0
        var nextHandOver: Date?
        while step < now {
            step = min(step + interval, now)
            while let time = nextTime, time <= step {
                next += 1
                nextTime = upcoming.next()
            }
            // AuditEngine.isHandOverDue, on the same clock values.
            var due = true
            if let nextHandOver, step < nextHandOver { due = false }
            if due { nextHandOver = step + interval }
            steps.append(Step(time: step, handsOver: due, emailsCreated: next))
        }
        self.steps = steps
    }
}
