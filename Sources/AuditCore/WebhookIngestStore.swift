import Foundation

/// A webhook token with the digest of the event it carried.
public struct WebhookTokenUse: Sendable, Hashable {
    /// The `signature.token` of the webhook.
    public var token: String
    /// A digest of the event the webhook carried (hex SHA-256 of its `event-data`).
    public var bodyDigest: String
    public var receivedAt: Date

    public init(token: String, bodyDigest: String, receivedAt: Date) {
        self.token = token
        self.bodyDigest = bodyDigest
        self.receivedAt = receivedAt
    }
}

/// What storing one group of webhooks did (``WebhookIngestStore/bindWebhookTokensAndApply(_:events:defaultAccountID:deferringSync:)``).
public struct WebhookGroupResult: Sendable {
    /// Per webhook: its token is new or was first seen with the same event (false: misused).
    public var bound: [Bool]
    /// Webhooks whose event holds a value the store refuses, by index, with the reason.
    public var refused: [Int: String]
    /// What storing the accepted events did.
    public var applied: ApplyResult

    public init(bound: [Bool], refused: [Int: String], applied: ApplyResult) {
        self.bound = bound
        self.refused = refused
        self.applied = applied
    }
}

/// The webhook receiver's side of the store contract: the ingest path (``EventIngestStore``)
/// plus the binding of Mailgun's webhook tokens, in one transaction per group of webhooks.
/// Both backends conform (SQLite: `AuditDatabase`; PostgreSQL: `PostgresAuditStore`).
///
/// Mailgun signs only the timestamp and token, not the body, so the receiver binds each token
/// to the first event it carried: the same token with the same event is a retry, with another
/// event it is a replay of a captured signature.
public protocol WebhookIngestStore: EventIngestStore {
    /// Binds the webhooks' tokens and stores the events of those bound (a new token, or a retry
    /// of the same event) through the ingest path's store step, in ONE transaction. `events[i]`
    /// is the event of `uses[i]` (nil when it carries none to store). An event holding a value
    /// the store refuses is not stored and is named in `refused` by its index; its token is
    /// still bound. Nothing is stored when this throws.
    ///
    /// With `deferringSync` the commit may return before the group is durable against a power
    /// cut; it is once a later ``syncWriteAheadLog()`` returns.
    func bindWebhookTokensAndApply(_ uses: [WebhookTokenUse], events: [IncomingEvent?], defaultAccountID: Int64?,
                                   deferringSync: Bool) throws -> WebhookGroupResult
    /// Makes every group committed before it durable (SQLite: flushes the write-ahead log;
    /// PostgreSQL: nothing, its commit already is).
    func syncWriteAheadLog() throws
    /// Forgets tokens received before `date` (older than any timestamp the receiver still
    /// accepts) and returns how many.
    @discardableResult
    func forgetWebhookTokens(receivedBefore date: Date) throws -> Int
}
