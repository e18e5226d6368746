import AuditCore
import AuditStore
import Foundation
import PostgresNIO

/// The feeder queue (``HandOverQueueStore``) on PostgreSQL, for several feeders on several
/// connections and machines at once: claims are rows of `hand_over_claims` (schema version 3),
/// taken with `FOR UPDATE SKIP LOCKED`.
extension PostgresAuditStore: HandOverQueueStore {
    /// Claims up to `limit` Pending emails for `claimant` until `now + lease`, oldest first
    /// (see ``HandOverQueueStore``), in one transaction:
    ///
    /// 1. claims whose lease ended by `now` are deleted (their emails are free again);
    /// 2. the oldest Pending emails with no claim (the `emails_pending` index) are locked
    ///    `FOR UPDATE SKIP LOCKED`: rows another feeder is claiming at this moment are passed
    ///    over, not waited for, so two feeders take two different batches at once;
    /// 3. a claim row is inserted for each, `ON CONFLICT DO NOTHING`: a feeder whose snapshot
    ///    predates another's committed claim of the same email finds the primary key taken and
    ///    does not get the email (the key, not the lock, is what makes a claim exclusive);
    /// 4. the claimed emails are read back in queue order.
    public func claimPending(limit: Int, accounts: [Int64]?, claimant: String, now: Date, lease: TimeInterval) throws -> [Email] {
        guard limit > 0 else { return [] }
        if let accounts, accounts.isEmpty { return [] }
        try PostgresValueCheck.requireText(claimant, "the claimant of a hand-over claim")
        try PostgresValueCheck.requireTime(now, "the time of a hand-over claim")
        let until = now + max(0, min(lease, 366 * 86_400))
        try PostgresValueCheck.requireTime(until, "the end of a hand-over claim")
        let everyAccount = accounts == nil, only = accounts ?? []
        return try connection.transaction { db throws -> [Email] in
            try db.execute("DELETE FROM hand_over_claims WHERE claimed_until <= \(now)")
            return try rows("""
                WITH picked AS (
                    SELECT e.account_id, e.id, e.created_at FROM emails e
                    WHERE e.handed_over_at IS NULL AND (\(everyAccount) OR e.account_id = ANY(\(only)))
                      AND NOT EXISTS (SELECT 1 FROM hand_over_claims c WHERE c.account_id = e.account_id AND c.email_id = e.id)
                    ORDER BY e.created_at, e.id
                    LIMIT \(Int64(limit))
                    FOR UPDATE OF e SKIP LOCKED
                ), claimed AS (
                    INSERT INTO hand_over_claims (account_id, email_id, email_created_at, claimed_by, claimed_until)
                    SELECT account_id, id, created_at, \(claimant), \(until) FROM picked
                    ON CONFLICT (account_id, email_id) DO NOTHING
                    RETURNING account_id, email_id, email_created_at
                )
                SELECT \(unescaped: Self.emailSelection)
                FROM claimed k
                JOIN emails e ON e.account_id = k.account_id AND e.id = k.email_id AND e.created_at = k.email_created_at
                \(unescaped: Self.emailJoins)
                ORDER BY e.created_at, e.id
                """, on: db, Self.email(from:))
        }
    }

    /// Records the hand-over (message id, its hash, the time to the millisecond as SQLite
    /// keeps it) unless the email already has a message id, and deletes its claim, in one
    /// transaction; the email's row is locked first, so a mark and an ingest that records the
    /// message id from the email's events (by its audit id) take turns and one of them wins.
    ///
    /// Not yet as on SQLite: when events of the same message and recipient arrived earlier
    /// without an audit id (an External email was made for them), SQLite merges that email
    /// into this one; here both stay (the later events go to the lower id).
    public func markHandedOver(emailID: Int64, inAccount accountID: Int64, providerMessageID: String, at: Date) throws -> Bool {
        let messageID = ProviderMessageID.bare(providerMessageID)
        if messageID.isEmpty { throw PostgresStoreError.invalidValue("empty provider message id for email \(emailID)") }
        try PostgresValueCheck.requireText(messageID, "the provider message id for email \(emailID)")
        try PostgresValueCheck.requireTime(at, "the hand-over time of email \(emailID)")
        let milliseconds = StoredEventCoding.milliseconds(at)
        return try connection.transaction { db throws -> Bool in
            let found = try rows("""
                SELECT handed_over_at IS NULL AND provider_message_id IS NULL FROM emails
                WHERE account_id = \(accountID) AND id = \(emailID)
                FOR UPDATE
                """, on: db) { try $0[0].decode(Bool.self) }.first
            guard let pending = found else { throw PostgresStoreError.unknownEmail(id: emailID) }
            try db.execute("DELETE FROM hand_over_claims WHERE account_id = \(accountID) AND email_id = \(emailID)")
            guard pending else { return false }
            try db.execute("""
                UPDATE emails SET provider_message_id = \(messageID), message_hash = \(StoredEventCoding.messageHash(messageID)),
                    handed_over_at = timestamptz 'epoch' + \(milliseconds) * interval '1 millisecond'
                WHERE account_id = \(accountID) AND id = \(emailID)
                """)
            return true
        }
    }

    public func releaseClaims(of claimant: String) throws {
        try PostgresValueCheck.requireText(claimant, "the claimant of a hand-over claim")
        try connection.execute("DELETE FROM hand_over_claims WHERE claimed_by = \(claimant)")
    }

    // recordHandOverOutcome(answered:at:) is in PostgresHandOverHealth.swift (schema v2's
    // `hand_over_outcomes`, the later time of each kind kept).

    /// The rows of `hand_over_outcomes` (schema v2), as the reader's hand-over health reads them.
    public func handOverOutcomes() throws -> HandOverOutcomes {
        var outcomes = HandOverOutcomes()
        for (outcome, at) in try rows("SELECT outcome, round(extract(epoch FROM at) * 1000)::bigint FROM hand_over_outcomes", {
            (try $0[0].decode(String.self), StoredEventCoding.date(milliseconds: try $0[1].decode(Int64.self)))
        }) {
            if outcome == "success" { outcomes.lastSuccess = at } else { outcomes.lastFailure = at }
        }
        return outcomes
    }
}
