import Foundation

/// The feeder-queue side of the store contract: what the batch feeder (`BatchFeeder`) asks of
/// the store so that several feeders, in several processes on one database, hand each Pending
/// email to the provider once. Both backends conform (see ``PortfolioStore``).
///
/// A feeder claims a batch (``claimPending(limit:accounts:claimant:now:lease:)``), sends each
/// email, and marks it handed over (``markHandedOver(emailID:inAccount:providerMessageID:at:)``)
/// right after the provider accepts it, which ends its claim; what it did not send (the
/// provider went down) it gives back with ``releaseClaims(of:)``. While a claim lasts no other
/// claimant gets the email. A claim is a lease: it ends by itself at `now + lease`, so the
/// emails of a feeder that died (`kill -9`, a lost machine) come back to the queue.
///
/// What "exactly once" means here:
/// - Every email is *marked* handed over once: the first mark wins, a later one returns false
///   and changes nothing (so does a mark after the provider's own events named the email by
///   its audit id and so recorded its message id first).
/// - Every email is *sent* by one feeder, except when a feeder dies (or stalls past the lease)
///   after the provider accepted an email and before it marked it. Then, once the lease is
///   over and if by then no event of that message has named the email, another feeder sends
///   it again (at least once in that window, never lost). The request carries the same audit
///   id (`v:audit-id`), so a provider could recognise it; Mailgun does not, nor does the
///   simulator (`MailgunSimulator` gives every request a new message id and its own events).
///   The second message's events then become an External email beside the original, so the
///   audit shows the second copy. Feeders keep the window small by sending only from fresh
///   claims (`BatchFeeder` stops using a claim after half its lease).
///
/// Times are the caller's (`now`, `at`): the machines' clocks must agree to well within a
/// lease (as NTP keeps them).
public protocol HandOverQueueStore: AnyObject, Sendable {
    /// Claims up to `limit` Pending emails (not handed over, not claimed by a live claim)
    /// for `claimant` until `now + lease`, oldest first (by creation time, then id): of every
    /// account, or, given `accounts`, only of those (an empty list claims nothing).
    /// Claims of any claimant that ended by `now` no longer hold an email back.
    func claimPending(limit: Int, accounts: [Int64]?, claimant: String, now: Date, lease: TimeInterval) throws -> [Email]

    /// Records that the email `emailID` of `accountID` was handed to the provider at `at`
    /// under `providerMessageID` (angle brackets are removed), and ends any claim on it.
    /// Returns false and changes nothing when the email was no longer Pending (already marked,
    /// or its message id already recorded from its events).
    /// - Throws: an unknown-email error for an id that is not one of the account's emails;
    ///   an invalid-value error for an empty message id, a NUL character or an impossible time.
    func markHandedOver(emailID: Int64, inAccount accountID: Int64, providerMessageID: String, at: Date) throws -> Bool

    /// Ends every claim of `claimant` at once (what it claimed and did not mark goes back to
    /// the queue).
    func releaseClaims(of claimant: String) throws

    /// Records the outcome of a hand-over run: `answered` when the provider took (or refused)
    /// every request, false when it was down, rate-limiting or erroring. Of several feeders'
    /// outcomes the latest of each kind is kept.
    func recordHandOverOutcome(answered: Bool, at time: Date) throws

    /// The latest outcomes recorded by ``recordHandOverOutcome(answered:at:)``.
    func handOverOutcomes() throws -> HandOverOutcomes
}

/// When the feeders' hand-over runs last succeeded and last failed (see ``HandOverHealth``).
public struct HandOverOutcomes: Sendable, Hashable {
    /// The last run the provider answered (nil: none recorded).
    public var lastSuccess: Date?
    /// The last run the provider did not answer (nil: none recorded).
    public var lastFailure: Date?

    public init(lastSuccess: Date? = nil, lastFailure: Date? = nil) {
        self.lastSuccess = lastSuccess
        self.lastFailure = lastFailure
    }
}

/// The notifications' part of a hand-over run: the daily digest emails due, recorded as
/// Pending so the same run hands them over. Both stores conform, through ``NotificationStore``.
public protocol DigestRecordingStore: AnyObject, Sendable {
    /// Records the digest emails due at `now` (once per user and day) and returns how many.
    func recordDueDigests(at now: Date) throws -> Int
}
