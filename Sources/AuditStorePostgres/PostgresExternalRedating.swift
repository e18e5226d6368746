import AuditCore
import AuditStore
import Foundation
import PostgresNIO

extension PostgresEventIngest {
    /// Moves External email `id` to the time of its earliest event, `earliest` (to the
    /// millisecond, as it was made), when that is earlier than its creation time: the SQLite
    /// store's rule, for an earlier event that arrives in a later batch than the one that made
    /// the email. Returns whether it moved (``emails`` then holds the new time).
    ///
    /// The creation time is part of every key that names the email and the partition key of
    /// `emails` and `events`, so the row moves (to another month's partition when the month
    /// changes: the server moves it within the `UPDATE`) and every row that names it by that
    /// time follows in this transaction: its events, `email_keys`, `email_statuses`, its
    /// notifications and its suppression entries (none of them has a foreign key to the email;
    /// the triggers of `emails` copy no creation time). An email that rows name through a
    /// foreign key (a resend of it, units, an intake host id, a hand-over claim: none of which
    /// an External email gets from the ingest) keeps its time.
    func redateExternal(_ id: Int64, toEarliest earliest: Date) throws -> Bool {
        guard let email = emails[id] else { return false }
        let milliseconds = StoredEventCoding.milliseconds(earliest)
        guard milliseconds < StoredEventCoding.milliseconds(email.createdAt) else { return false }
        let (account, old) = (email.accountID, email.createdAt)
        let referenced = try store.rows("""
            SELECT EXISTS (SELECT 1 FROM email_resends
                           WHERE account_id = \(account) AND ((original_id = \(id) AND original_created_at = \(old))
                                                          OR (resend_id = \(id) AND resend_created_at = \(old))))
                OR EXISTS (SELECT 1 FROM contact_changes WHERE account_id = \(account) AND resend_id = \(id) AND resend_created_at = \(old))
                OR EXISTS (SELECT 1 FROM email_units WHERE account_id = \(account) AND email_id = \(id) AND email_created_at = \(old))
                OR EXISTS (SELECT 1 FROM email_host_ids WHERE account_id = \(account) AND email_id = \(id) AND email_created_at = \(old))
                OR EXISTS (SELECT 1 FROM hand_over_claims WHERE account_id = \(account) AND email_id = \(id) AND email_created_at = \(old))
            """, on: db) { try $0[0].decode(Bool.self) }.first ?? true
        guard !referenced else { return false }
        // The email first (the row and its month), then the rows that name it by its old time.
        let statements: [PostgresQuery] = [
            """
            UPDATE emails SET created_at = timestamptz 'epoch' + \(milliseconds) * interval '1 millisecond'
            WHERE account_id = \(account) AND id = \(id) AND created_at = \(old)
            """,
            """
            UPDATE events SET email_created_at = timestamptz 'epoch' + \(milliseconds) * interval '1 millisecond'
            WHERE account_id = \(account) AND email_id = \(id) AND email_created_at = \(old)
            """,
            """
            UPDATE email_keys SET created_at = timestamptz 'epoch' + \(milliseconds) * interval '1 millisecond'
            WHERE account_id = \(account) AND id = \(id)
            """,
            """
            UPDATE email_statuses SET created_at = timestamptz 'epoch' + \(milliseconds) * interval '1 millisecond'
            WHERE account_id = \(account) AND id = \(id)
            """,
            """
            UPDATE notifications SET email_created_at = timestamptz 'epoch' + \(milliseconds) * interval '1 millisecond'
            WHERE account_id = \(account) AND email_id = \(id) AND email_created_at = \(old)
            """,
            """
            UPDATE account_suppressions SET email_created_at = timestamptz 'epoch' + \(milliseconds) * interval '1 millisecond'
            WHERE account_id = \(account) AND email_id = \(id) AND email_created_at = \(old)
            """,
        ]
        for statement in statements { try db.execute(statement) }
        emails[id]?.createdAt = StoredEventCoding.date(milliseconds: milliseconds)
        return true
    }
}
