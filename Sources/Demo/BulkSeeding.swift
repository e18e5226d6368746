import AuditCore
import AuditEngine
import AuditStore
import Foundation
import Mailgun
import ProviderSimulator

/// Why the bulk seeding stopped.
public enum BulkSeedError: Error, CustomStringConvertible, Equatable {
    /// The simulator refused a request or was unavailable, which the bulk path does not handle
    /// (the feeder would record a refusal, or keep the email Pending).
    case sendFailed(emailID: Int64, reason: String)
    /// The options ask for something only ``DemoSeeder/seed(_:options:progress:step:)`` does.
    case unsupported(String)
    /// The store did not give back the emails just recorded, or refused a hand-over.
    case storeMismatch(String)

    public var description: String {
        switch self {
        case .sendFailed(let id, let reason): "the simulator did not take email \(id): \(reason)"
        case .unsupported(let what): "bulk seeding does not support \(what)"
        case .storeMismatch(let what): "bulk seeding: \(what)"
        }
    }
}

extension DemoSeeder {
    /// Seeds Harbour Lets alone, with every provider event written to `events` rather than
    /// ingested: the same emails, hand-over times, simulator calls and event lines, byte for
    /// byte, as ``seed(_:options:progress:step:)`` with an ``SeedOptions/eventSink`` and no
    /// extra agencies, but several times faster, for the benchmark's million-email stores.
    ///
    /// The same batch steps are replayed (``HandOverSchedule``), and the same factory makes the
    /// same emails from the same random numbers, but the store is written in large
    /// transactions: the emails of about `emailsPerTransaction` at a time are recorded Pending
    /// together (read back as the feeder would read them), and their hand-overs are marked
    /// together once the simulator has taken them. The simulator works on a second thread,
    /// taking one group of emails while the store records the next; `events` is called on that
    /// thread, one call at a time, in order. Every event still enters the store later through
    /// the one ingest path (the benchmark ingests the file).
    ///
    /// - Throws: ``BulkSeedError`` when the options ask for extra agencies or no event sink
    ///   is given, or the simulator refuses a request; store errors as they come.
    public static func seedInBulk(_ store: AuditDatabase, options: SeedOptions, emailsPerTransaction: Int = 10_000,
                                  events: @escaping @Sendable ([String]) throws -> Void,
                                  progress: (SeedProgress) -> Void = { _ in }) throws -> SeedResult {
        guard !options.extraAgencies else { throw BulkSeedError.unsupported("extra agencies") }
        let (simulator, factory, startRNG, times) = try start(store, options: options)
        var rng = startRNG
        let schedule = HandOverSchedule(times: times, now: options.now, interval: options.batchInterval)
        // The times are walked a window at a time (``CreationTimes``), not held.
        var upcoming = times.makeIterator()
        let handing = BulkHandOver(store: store, simulator: simulator, events: events)
        let toSimulator = BulkChannel<BulkHandOver.Group>(capacity: 1)
        let fromSimulator = BulkChannel<Result<BulkHandOver.Outcome, any Error>>(capacity: 2)
        let stopped = DispatchSemaphore(value: 0)
        let worker = Thread {
            while let group = toSimulator.take() {
                let outcome = Result { try handing.handOver(group) }
                fromSimulator.put(outcome)
                if case .failure = outcome { break }
            }
            fromSimulator.finish()
            stopped.signal()
        }
        worker.stackSize = 4 << 20
        worker.start()
        defer {
            // On an error, the simulator's thread drops what it has not started and stops.
            toSimulator.cancel()
            fromSimulator.cancel()
            stopped.wait()
        }

        var lastAnswered: Date?
        var waiting = 0
        func markNext() throws {
            guard let result = fromSimulator.take() else { throw BulkSeedError.storeMismatch("the simulator stopped early") }
            let outcome = try result.get()
            let marked = try store.markHandedOver(outcome.handOvers)
            guard !marked.contains(false) else { throw BulkSeedError.storeMismatch("an email was already handed over") }
            lastAnswered = outcome.lastHandOver ?? lastAnswered
            waiting -= 1
            progress(SeedProgress(emailsRaised: outcome.emailsCreated, emailsPlanned: times.count, events: 0))
        }

        var first = 0
        var recorded = 0
        while first < schedule.steps.count {
            // The steps whose emails fill about one transaction (at least one step).
            var end = first + 1
            while end < schedule.steps.count, schedule.steps[end - 1].emailsCreated - recorded < emailsPerTransaction { end += 1 }
            let upTo = schedule.steps[end - 1].emailsCreated
            var ids: [Int64] = []
            if upTo > recorded {
                var batch: [NewEmail] = []
                batch.reserveCapacity(upTo - recorded)
                for index in recorded..<upTo {
                    guard let time = upcoming.next() else { throw BulkSeedError.storeMismatch("creation time \(index) is missing") }
                    batch.append(factory.makeEmail(at: time, using: &rng))
                }
                ids = try store.record(batch)
            }
            toSimulator.put(BulkHandOver.Group(steps: Array(schedule.steps[first..<end]), firstEmail: recorded, ids: ids))
            waiting += 1
            recorded = upTo
            first = end
            // Keep one group with the simulator while the next is recorded.
            while waiting > 1 { try markNext() }
        }
        while waiting > 0 { try markNext() }
        toSimulator.finish()
        if let lastAnswered { try store.recordHandOverOutcome(answered: true, at: lastAnswered) }
        try SimulatorPersistence.save(simulator, to: store)
        return SeedResult(accountID: factory.accountID, emails: times.count, allEmails: times.count, ingest: IngestReport(),
                          simulator: simulator, factory: factory)
    }
}

/// The simulator's side of the bulk seeding: replays the batch steps of one group of emails,
/// handing over what is due at each step and reporting the events due by then.
final class BulkHandOver: @unchecked Sendable {
    /// Emails recorded together and the steps at which they are created.
    struct Group: Sendable {
        var steps: [HandOverSchedule.Step]
        /// The index (in creation order) of the first of `ids`.
        var firstEmail: Int
        /// The ids of the emails created within `steps`, as recorded (oldest first).
        var ids: [Int64]
    }

    /// What one group's steps handed over.
    struct Outcome: Sendable {
        var handOvers: [HandOver]
        var lastHandOver: Date?
        var emailsCreated: Int
    }

    private let store: AuditDatabase
    private let simulator: MailgunSimulator
    private let events: @Sendable ([String]) throws -> Void
    /// Emails created at a step that did not hand over (only the last, shorter step can be
    /// one), waiting for the next hand-over. Touched only by the simulator's thread.
    private var pending: [Email] = []

    init(store: AuditDatabase, simulator: MailgunSimulator, events: @escaping @Sendable ([String]) throws -> Void) {
        self.store = store
        self.simulator = simulator
        self.events = events
    }

    func handOver(_ group: Group) throws -> Outcome {
        // The emails as the feeder reads them (a reader connection: the store's thread is
        // already recording the next group).
        var emails: [Email] = []
        if let first = group.ids.first, let last = group.ids.last {
            emails = try store.pendingHandOver(ids: first...last)
            guard emails.map(\.id) == group.ids else { throw BulkSeedError.storeMismatch("the recorded emails came back in another order") }
        }
        var outcome = Outcome(handOvers: [], emailsCreated: group.firstEmail + emails.count)
        outcome.handOvers.reserveCapacity(emails.count + pending.count)
        var next = 0
        for step in group.steps {
            while next < emails.count, group.firstEmail + next < step.emailsCreated {
                pending.append(emails[next])
                next += 1
            }
            if step.handsOver {
                for email in pending {
                    let response: MailgunSendResponse
                    do {
                        response = try simulator.send(BatchFeeder.request(for: email), at: step.time)
                    } catch {
                        throw BulkSeedError.sendFailed(emailID: email.id, reason: "\(error)")
                    }
                    outcome.handOvers.append(HandOver(emailID: email.id, providerMessageID: MailgunSendResponse.bareMessageID(response.id),
                                                      at: step.time))
                }
                pending.removeAll(keepingCapacity: true)
                outcome.lastHandOver = step.time
            }
            let lines = simulator.events(through: step.time)
            if !lines.isEmpty { try events(lines) }
        }
        return outcome
    }
}

/// A small bounded queue between the bulk seeding's two threads.
final class BulkChannel<Item: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Item] = []
    private var finished = false
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Adds an item, waiting while the queue is full; dropped once finished.
    func put(_ item: Item) {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity, !finished { condition.wait() }
        if !finished { items.append(item) }
        condition.broadcast()
    }

    /// The next item, waiting for one; nil once finished and empty.
    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty, !finished { condition.wait() }
        guard !items.isEmpty else { return nil }
        condition.broadcast()
        return items.removeFirst()
    }

    /// Drops the waiting items and takes no more.
    func cancel() {
        condition.lock()
        items.removeAll()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// No more items will be put.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
