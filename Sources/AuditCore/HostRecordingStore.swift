import Foundation

/// What recording one email from the host system did.
public struct HostRecording: Sendable, Hashable {
    /// The audit's email id.
    public var emailID: Int64
    /// False when the host's id was already recorded (a retry): the existing email is returned.
    public var created: Bool

    public init(emailID: Int64, created: Bool) {
        self.emailID = emailID
        self.created = created
    }
}

/// The intake's side of the store contract (`POST /v1/emails` and `email-audit record`):
/// recording emails idempotently by the host system's own id, and the checks before it.
/// Both backends conform (SQLite: `AuditDatabase`; PostgreSQL: `PostgresAuditStore`).
public protocol HostRecordingStore: EmailRecordingStore, PortfolioStore {
    /// Records emails carrying the host's own id (``NewEmail/hostID``), once per (account,
    /// host id), as ``EmailRecordingStore/record(_:)`` in one transaction. An email whose host
    /// id is already recorded in its account is not recorded again: its existing id comes back
    /// with `created == false` (a host id repeated in the batch is recorded once, the later ones
    /// answered `created == false` too). Two writers recording one host id at once record it once.
    /// - Throws: an invalid-value error for an email without a host id, or the errors of
    ///   ``EmailRecordingStore/record(_:)``. Nothing is recorded then.
    func recordFromHost(_ emails: [NewEmail]) throws -> [HostRecording]
    /// The ids among `unitIDs` that are not units of `accountID`.
    func unknownUnitIDs(_ unitIDs: [Int64], accountID: Int64) throws -> [Int64]
    /// Whether `error` is this store's refusal of a value (a NUL character, an impossible time,
    /// an unknown id): the batch is refused for its contents, not because the store failed.
    func isValueRefusal(_ error: any Error) -> Bool
}

/// What `serve`'s readiness check and metrics read from the store.
public protocol ServiceHealthStore: AnyObject, Sendable {
    /// Whether the store takes a write now.
    func isWritable() -> Bool
    /// The feeders' last outcomes and the Pending emails of `accountID` (every account when nil).
    func handOverHealth(accountID: Int64?, now: Date) throws -> HandOverHealth
}
