import Foundation

/// A store that keeps emails for a number of months (`retention_months`): `serve` once a day and
/// `email-audit compact --retention-months N` delete every account's emails created before a cut
/// (``RetentionCut``) with everything that belongs only to them (events, notifications about
/// them, resend links, roll-up counts), so that every count afterwards equals a recount of the
/// emails left. The SQLite store deletes in short batches; the PostgreSQL store detaches whole
/// month partitions and deletes the rest of the cut's month in batches.
public protocol RetentionStore: AnyObject {
    /// The zone of the store's days (the cut is a local midnight in it).
    var timeZone: TimeZone { get }
    /// How many emails (every account) were created before `cut`.
    func emailCount(createdBefore cut: Date) throws -> Int
    /// Deletes every account's emails created before `cut`, `batchSize` emails per write
    /// transaction where the store deletes row by row. `progress` hears after each step; an
    /// error it throws stops the run there (what was deleted stays deleted, the rest stays, and
    /// a second run finishes the job with the same result).
    func applyRetention(before cut: Date, batchSize: Int, progress: (RetentionProgress) throws -> Void) throws -> RetentionReport
}

/// What ``RetentionStore/applyRetention(before:batchSize:progress:)`` did.
public struct RetentionReport: Sendable, Equatable {
    /// Emails created before this instant were deleted.
    public var cut: Date
    /// Emails deleted (with everything that belonged only to them).
    public var emails = 0
    /// Their provider events.
    public var events = 0
    /// Notifications about them.
    public var notifications = 0
    /// Resend links from or to them.
    public var resendLinks = 0
    /// Emails written to the archive (equal to `emails` when there is one).
    public var archived = 0
    /// Write transactions that deleted a batch.
    public var batches = 0

    public init(cut: Date) {
        self.cut = cut
    }

    /// Adds one step's deletions (one write transaction) to the run's totals.
    public mutating func add(_ step: RetentionReport) {
        emails += step.emails
        events += step.events
        notifications += step.notifications
        resendLinks += step.resendLinks
        archived += step.archived
        batches += 1
    }

    /// The run's progress so far, of `total` old emails counted at its start (more when emails
    /// older than the cut arrived meanwhile).
    public func progress(total: Int) -> RetentionProgress {
        RetentionProgress(done: min(emails, max(total, emails)), total: max(total, emails))
    }
}

/// Progress of ``RetentionStore/applyRetention(before:batchSize:progress:)``: `done` of
/// `total` old emails deleted (the total counted at the start).
public struct RetentionProgress: Sendable, Equatable {
    public var done: Int
    public var total: Int

    public init(done: Int, total: Int) {
        self.done = done
        self.total = total
    }
}

