import AuditCore
import AuditStore
import Foundation
import PostgresNIO

/// The feeder queue (``HandOverQueueStore``) on PostgreSQL, for several feeders on several
/// connections and machines at once: claims are rows of `hand_over_claims` (schema version 3),
/// taken with `FOR UPDATE SKIP LOCKED`.
extension PostgresAuditStore: HandOverQueueStore {
    /// Claims up to `limit` Pending emails for `claimant` until `now + lease`, oldest first
    /// (see ``HandOverQueueStore``):
    ///
    /// 1. one statement deletes the claims whose lease ended by `now` (their emails are free
    ///    again) and looks whether any Pending email of the accounts has no claim left; when
    ///    none has, the call ends there (one round trip: most hand-over runs of a quiet store,
    ///    and each 5-minute step of the demo's seeding, find nothing to send);
    /// 2. in one statement (steps 2 to 4), the oldest Pending emails with no claim (the `emails_pending`
    ///    index) are locked `FOR UPDATE SKIP LOCKED`: rows another feeder is claiming at this
    ///    moment are passed over, not waited for, so two feeders take two different batches at once;
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
        // The expired claims go (a data-modifying WITH runs once, whether read or not); the look
        // counts a claim as gone when it ends by `now`, as the statement's own snapshot still
        // holds the rows it deletes.
        let waiting = try rows("""
            WITH expired AS (DELETE FROM hand_over_claims WHERE claimed_until <= \(now))
            SELECT EXISTS (
                SELECT 1 FROM emails e
                WHERE e.handed_over_at IS NULL AND (\(everyAccount) OR e.account_id = ANY(\(only)))
                  AND NOT EXISTS (SELECT 1 FROM hand_over_claims c WHERE c.account_id = e.account_id AND c.email_id = e.id
                                    AND c.claimed_until > \(now)))
            """) { try $0[0].decode(Bool.self) }.first ?? true
        guard waiting else { return [] }
        // Steps 2-4 are one statement, atomic on its own: no transaction around it.
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
            """, Self.email(from:))
    }

    /// Records the hand-over (message id, its hash, the time to the millisecond as SQLite
    /// keeps it) unless the email already has a message id, and deletes its claim, in one
    /// transaction; the email's row is locked first, so a mark and an ingest that records the
    /// message id from the email's events (by its audit id) take turns and one of them wins.
    ///
    /// When events of the same message and recipient arrived earlier without an audit id (an
    /// External email of the account was made for them), that email is merged into this one,
    /// as on SQLite: its events move here, it is deleted, this email's status is derived from
    /// the events and the roll-ups follow (see ``mergeEarlierEmail(into:accountID:messageID:on:)``).
    public func markHandedOver(emailID: Int64, inAccount accountID: Int64, providerMessageID: String, at: Date) throws -> Bool {
        let messageID = ProviderMessageID.bare(providerMessageID)
        if messageID.isEmpty { throw PostgresStoreError.invalidValue("empty provider message id for email \(emailID)") }
        try PostgresValueCheck.requireText(messageID, "the provider message id for email \(emailID)")
        try PostgresValueCheck.requireTime(at, "the hand-over time of email \(emailID)")
        let milliseconds = StoredEventCoding.milliseconds(at)
        return try connection.transaction { db throws -> Bool in
            // One message's emails are found or made by one writer at a time (the ingest takes
            // the same lock), so an External email cannot appear between the look and the merge.
            try db.execute("SELECT pg_advisory_xact_lock(\(StoredEventCoding.messageHash(messageID)))")
            // The row lock and the claim's deletion in one statement (one round trip).
            let found = try rows("""
                WITH released AS (DELETE FROM hand_over_claims WHERE account_id = \(accountID) AND email_id = \(emailID))
                SELECT handed_over_at IS NULL AND provider_message_id IS NULL, to_address, raised_by_id, status,
                       round(extract(epoch FROM created_at) * 1000)::bigint
                FROM emails
                WHERE account_id = \(accountID) AND id = \(emailID)
                  AND created_at = (SELECT created_at FROM email_keys WHERE account_id = \(accountID) AND id = \(emailID))
                FOR UPDATE
                """, on: db) {
                MarkedEmail(pending: try $0[0].decode(Bool.self), to: try $0[1].decode(String.self),
                            raisedByID: try $0[2].decode(Int64.self),
                            status: EmailStatus(code: Int(try $0[3].decode(Int16.self))) ?? .pending,
                            createdAtMilliseconds: try $0[4].decode(Int64.self))
            }.first
            // An unknown email rolls the transaction back, the claim's deletion with it.
            guard let email = found else { throw PostgresStoreError.unknownEmail(id: emailID) }
            guard email.pending else { return false }
            try mergeEarlierEmail(into: (emailID, email), accountID: accountID, messageID: messageID, milliseconds: milliseconds, on: db)
            return true
        }
    }

    /// The marked email as ``markHandedOver(emailID:inAccount:providerMessageID:at:)`` locked it.
    struct MarkedEmail {
        var pending: Bool
        var to: String
        var raisedByID: Int64
        var status: EmailStatus
        var createdAtMilliseconds: Int64
    }

    /// Merges the account's other email of the same message and recipient (the External email
    /// an ingest made from events that came before the mark and named no email) into the
    /// marked one, as the SQLite store's `markHandedOver`: its events (into the marked email's
    /// month partition) and notifications move to the marked email, it is deleted (with its
    /// roll-up count), and the marked email's status, detail and last event time are derived
    /// from the events with the roll-ups moved from Pending to that status.
    ///
    /// Unlike SQLite's, the look for the other email names the account (an External email is
    /// made in the account the ingest imports into).
    ///
    /// The marked email's hand-over (message id, its hash, the time: `milliseconds` since 1970)
    /// is written by the same statement as the look (one round trip); the look's snapshot
    /// predates that write, and it looks only at other emails.
    private func mergeEarlierEmail(into marked: (id: Int64, email: MarkedEmail), accountID: Int64, messageID: String,
                                   milliseconds: Int64, on db: BlockingPostgresConnection) throws {
        guard let found = try rows("""
            WITH marked AS (
                UPDATE emails SET provider_message_id = \(messageID), message_hash = \(StoredEventCoding.messageHash(messageID)),
                    handed_over_at = timestamptz 'epoch' + \(milliseconds) * interval '1 millisecond'
                WHERE account_id = \(accountID) AND id = \(marked.id)
                  AND created_at = timestamptz 'epoch' + \(marked.email.createdAtMilliseconds) * interval '1 millisecond'
            )
            SELECT id, round(extract(epoch FROM created_at) * 1000000)::bigint, raised_by_id, status FROM emails
            WHERE message_hash = \(StoredEventCoding.messageHash(messageID)) AND provider_message_id = \(messageID)
              AND account_id = \(accountID) AND to_address = \(marked.email.to) AND id <> \(marked.id)
            ORDER BY id LIMIT 1
            FOR UPDATE
            """, on: db, {
                (try $0[0].decode(Int64.self), try $0[1].decode(Int64.self), try $0[2].decode(Int64.self),
                 EmailStatus(code: Int(try $0[3].decode(Int16.self))) ?? .pending)
            }).first else { return }
        let (other, otherCreated, otherRaiser, otherStatus) = found
        let otherAt = "timestamptz 'epoch' + \(otherCreated) * interval '1 microsecond'"
        let markedMS = marked.email.createdAtMilliseconds
        // The events move to the marked email's month (the partition key changes: PostgreSQL
        // moves the rows between partitions).
        try db.execute(PostgresQuery(unsafeSQL: """
            UPDATE events SET email_id = \(marked.id),
                email_created_at = timestamptz 'epoch' + \(markedMS) * interval '1 millisecond'
            WHERE account_id = \(accountID) AND email_id = \(other) AND email_created_at = \(otherAt)
            """))
        // Notifications of the other email move, unless the marked one has the same (status, user).
        try db.execute(PostgresQuery(unsafeSQL: """
            UPDATE notifications n SET email_id = \(marked.id),
                email_created_at = timestamptz 'epoch' + \(markedMS) * interval '1 millisecond'
            WHERE n.account_id = \(accountID) AND n.email_id = \(other)
              AND NOT EXISTS (SELECT 1 FROM notifications m WHERE m.account_id = n.account_id AND m.email_id = \(marked.id)
                                AND m.status = n.status AND m.user_id = n.user_id)
            """))
        try db.execute("DELETE FROM notifications WHERE account_id = \(accountID) AND email_id = \(other)")
        try db.execute(PostgresQuery(unsafeSQL: """
            DELETE FROM emails WHERE account_id = \(accountID) AND id = \(other) AND created_at = \(otherAt)
            """))
        let markedCreated = StoredEventCoding.date(milliseconds: markedMS)
        let events = try rows("""
            SELECT \(unescaped: Self.eventColumns) FROM events v
            WHERE v.account_id = \(accountID) AND v.email_id = \(marked.id)
              AND v.email_created_at = timestamptz 'epoch' + \(markedMS) * interval '1 millisecond'
            ORDER BY v.id
            """, on: db, Self.providerEvent(from:))
        let derived = StatusDerivation.derive(events)
        var rollups = PostgresRollupDeltas(timeZone: timeZone)
        rollups.add(accountID: accountID, at: StoredEventCoding.date(microseconds: otherCreated), raisedByID: otherRaiser,
                    status: otherStatus, -1)
        if derived.status != marked.email.status {
            rollups.add(accountID: accountID, at: markedCreated, raisedByID: marked.email.raisedByID, status: marked.email.status, -1)
            rollups.add(accountID: accountID, at: markedCreated, raisedByID: marked.email.raisedByID, status: derived.status, 1)
        }
        let last = derived.lastEventAt.map(StoredEventCoding.microseconds)
        try db.execute("""
            UPDATE emails SET status = \(Int16(derived.status.code)),
                status_detail = \(StoredEventCoding.statusDetailJSON(derived.detail))::jsonb,
                last_event_at = timestamptz 'epoch' + \(last) * interval '1 microsecond'
            WHERE account_id = \(accountID) AND id = \(marked.id)
              AND created_at = timestamptz 'epoch' + \(markedMS) * interval '1 millisecond'
            """)
        try rollups.apply(on: db)
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
