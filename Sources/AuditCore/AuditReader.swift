import Foundation

/// The read side of the audit, as screens and the CLI use it: one signed-in user's view of
/// one account at a time.
///
/// Every read answers for the reader's current account only, whatever a filter says: the
/// account is part of every query, not a filter a screen may forget. A support user moves to
/// another account with ``selectAccount(_:)``.
public protocol AuditReader: Sendable {
    /// One page of summaries matching `filter` in the reader's account, newest first, strictly
    /// after (older) or before (newer) `cursor`. With no cursor, `.older` starts at the newest
    /// email and `.newer` at the oldest.
    func summaries(matching filter: EmailFilter, from cursor: EmailCursor?, direction: PageDirection,
                   limit: Int, now: Date) throws -> [EmailSummary]
    /// Counts per status for the filter, in the reader's account.
    func statusCounts(matching filter: EmailFilter, now: Date) throws -> StatusCounts
    /// The whole email with its events and linked units (nil when it is not the account's).
    func detail(emailID: Int64) throws -> EmailDetail?
    /// Every unit of the account whose contacts use `address`.
    func unitSearch(address: String) throws -> [UnitContactRow]
    /// Staff of the reader's account (nil or its id; another account is refused), by name, including "External".
    func staff(accountID: Int64?) throws -> [StaffUser]
    /// The accounts the signed-in user may choose (their own; every account for support).
    func accounts() throws -> [Account]
    /// Makes `accountID` the reader's account (support only; staff may only stay in their own).
    func selectAccount(_ accountID: Int64) throws -> Account
    /// The account's suppression list, newest first.
    func suppressions() throws -> [SuppressionEntry]
    /// The active suppression of `address` in the account, if any.
    func suppression(for address: String) throws -> SuppressionEntry?
    /// The trail of `address`'s suppression entry in the account, oldest first.
    func suppressionHistory(address: String) throws -> [SuppressionHistoryItem]
    /// A number that changes whenever emails or events change (cheap to read).
    func changeToken() throws -> Int64
    /// The ids of the account's emails with a provider Message-ID (one per recipient), ascending
    /// (`accountID` nil or the reader's account; another account is refused).
    func emailIDs(messageID: String, accountID: Int64?) throws -> [Int64]
    /// Failed, Complained and Rejected emails of the filter in the reader's account per
    /// recipient domain, most first (only those of the three statuses the filter's own statuses allow).
    func domainBreakdown(matching filter: EmailFilter, now: Date) throws -> [DomainFailures]
    /// How the hand-over to the provider is going for an account (all accounts when nil):
    /// the feeder's last success and failure, and the emails Pending past the limit at `now`.
    func handOverHealth(accountID: Int64?, now: Date) throws -> HandOverHealth
}
