import AuditCore
import AuditStore
import Foundation
import PostgresNIO

/// Raises notifications inside a PostgreSQL ingest transaction, as the SQLite store's
/// `NotificationWriter` does: who is notified is ``NotificationRules/recipients(of:among:activity:)``.
struct PostgresNotificationWriter {
    /// What a notification needs of the changed email (the ingest read it when it locked the row).
    struct EmailFacts {
        var activity: Activity
        var subject: String
        var createdAt: Date
    }

    /// What ``raise(_:known:rollups:)`` wrote.
    struct Raised {
        var notifications = 0
        /// Notification emails recorded (Pending, raised by System).
        var emails = 0
    }

    let store: PostgresAuditStore
    let db: BlockingPostgresConnection

    /// For every status change the rule notifies of, adds a notification for each user it names
    /// (once per account, email, status and user: `notifications_once` ignores a repeat); a user
    /// who takes an email for each gets a notification email, recorded Pending and raised by the
    /// account's System staff record, its roll-ups added to `rollups`. The changed emails' rows
    /// are locked by the ingest, so two ingesters never raise for one email at once.
    func raise(_ changes: [StatusChange], known: [Int64: EmailFacts], rollups: inout PostgresRollupDeltas) throws -> Raised {
        var raised = Raised()
        var recipients: [Int64: [NotificationRecipient]] = [:]
        // In-app notifications (the common case) in one statement for the whole batch; those that
        // also send an email one at a time, as each needs its notification's id.
        var plain = PlainNotifications()
        var mailed: [(change: StatusChange, facts: EmailFacts, user: NotificationRecipient, raisedAt: Date)] = []
        for change in changes where change.new.raisesNotification {
            guard let facts = known[change.emailID] else { continue }
            if recipients[change.accountID] == nil { recipients[change.accountID] = try self.recipients(accountID: change.accountID) }
            let wanting = NotificationRules.recipients(of: change, among: recipients[change.accountID] ?? []) { facts.activity }
            let raisedAt = change.detail?.occurredAt ?? facts.createdAt
            for user in wanting {
                if user.preferences.delivery == .email, !user.email.isEmpty {
                    mailed.append((change, facts, user, raisedAt))
                } else {
                    plain.add(change, createdAt: facts.createdAt, user: user, raisedAt: raisedAt)
                }
            }
        }
        raised.notifications += try insert(plain)
        var senders: [Int64: String] = [:]
        for (change, facts, user, raisedAt) in mailed {
            let at = StoredEventCoding.milliseconds(raisedAt)
            let inserted = try store.rows("""
                INSERT INTO notifications (account_id, user_id, email_id, email_created_at, status, raised_at, delivery)
                VALUES (\(change.accountID), \(user.userID), \(change.emailID), \(facts.createdAt), \(Int16(change.new.code)),
                        timestamptz 'epoch' + \(at) * interval '1 millisecond', \(user.preferences.delivery.rawValue))
                ON CONFLICT (account_id, email_id, status, user_id) DO NOTHING
                RETURNING id
                """, on: db) { try $0[0].decode(Int64.self) }
            guard let notificationID = inserted.first else { continue }
            raised.notifications += 1
            let sender: String
            if let known = senders[change.emailID] {
                sender = known
            } else {
                sender = try store.rows("""
                    SELECT coalesce(s.address, '') FROM emails e
                    LEFT JOIN senders s ON s.account_id = e.account_id AND s.id = e.sender_id
                    WHERE e.account_id = \(change.accountID) AND e.id = \(change.emailID) AND e.created_at = \(facts.createdAt)
                    """, on: db) { try $0[0].decode(String.self) }.first ?? ""
                senders[change.emailID] = sender
            }
            let notified = NotifiedEmail(
                emailID: change.emailID, status: change.new, subject: facts.subject, to: change.to, createdAt: facts.createdAt,
                detail: change.detail,
                contacts: try store.unitRows(address: EmailAddress.bare(change.to), accountID: change.accountID, on: db))
            let email = NewEmail(
                accountID: change.accountID, raisedByID: try store.systemStaffID(accountID: change.accountID, on: db),
                activity: .statusAlert, to: user.email,
                from: NotificationText.sender(domain: NotificationAddress.sendingDomain(fromHeader: sender)),
                subject: NotificationText.subject(for: notified),
                textBody: NotificationText.body(for: notified, userName: user.name, timeZone: store.timeZone), createdAt: raisedAt)
            let emailID = try store.insert([email], on: db, rollups: &rollups)[0]
            try db.execute("""
                UPDATE notifications SET notice_email_id = \(emailID),
                    notice_email_created_at = timestamptz 'epoch' + \(at) * interval '1 millisecond'
                WHERE account_id = \(change.accountID) AND id = \(notificationID)
                """)
            raised.emails += 1
        }
        return raised
    }

    /// In-app notifications gathered for one statement, in the order they were raised.
    struct PlainNotifications {
        var accountIDs: [Int64] = [], userIDs: [Int64] = [], emailIDs: [Int64] = [], createdAts: [Date] = []
        var statuses: [Int16] = [], raisedAts: [Int64] = [], deliveries: [String] = []

        mutating func add(_ change: StatusChange, createdAt: Date, user: NotificationRecipient, raisedAt: Date) {
            accountIDs.append(change.accountID)
            userIDs.append(user.userID)
            emailIDs.append(change.emailID)
            createdAts.append(createdAt)
            statuses.append(Int16(change.new.code))
            raisedAts.append(StoredEventCoding.milliseconds(raisedAt))
            deliveries.append(user.preferences.delivery.rawValue)
        }
    }

    /// Inserts `plain` in one statement, in order (a repeat of an account, email, status and user
    /// is ignored, as one at a time); returns how many were new.
    private func insert(_ plain: PlainNotifications) throws -> Int {
        guard !plain.accountIDs.isEmpty else { return 0 }
        return Int(try store.rows("""
            WITH added AS (
                INSERT INTO notifications (account_id, user_id, email_id, email_created_at, status, raised_at, delivery)
                SELECT r.a, r.u, r.e, r.c, r.s, timestamptz 'epoch' + r.at * interval '1 millisecond', r.d
                FROM unnest(\(plain.accountIDs)::bigint[], \(plain.userIDs)::bigint[], \(plain.emailIDs)::bigint[],
                            \(plain.createdAts)::timestamptz[], \(plain.statuses)::smallint[], \(plain.raisedAts)::bigint[],
                            \(plain.deliveries)::text[]) WITH ORDINALITY AS r(a, u, e, c, s, at, d, n)
                ORDER BY r.n
                ON CONFLICT (account_id, email_id, status, user_id) DO NOTHING
                RETURNING 1)
            SELECT count(*) FROM added
            """, on: db) { try $0[0].decode(Int64.self) }.first ?? 0)
    }

    /// The users of an account with their preferences (the standard ones when unchanged), by id.
    func recipients(accountID: Int64) throws -> [NotificationRecipient] {
        try store.rows("""
            SELECT u.id, u.name, u.staff_id, u.email, p.statuses, p.scope, p.delivery, p.digest_hour
            FROM users u LEFT JOIN notification_preferences p ON p.user_id = u.id
            WHERE u.account_id = \(accountID) ORDER BY u.id
            """, on: db) { row in
            NotificationRecipient(
                userID: try row[0].decode(Int64.self), name: try row[1].decode(String.self), staffID: try row[2].decode(Int64?.self),
                email: try row[3].decode(String.self),
                preferences: NotificationPreferenceStorage.preferences(
                    statuses: try row[4].decode(String?.self), scope: try row[5].decode(String?.self),
                    delivery: try row[6].decode(String?.self), digestHour: try row[7].decode(Int32?.self).map(Int.init)))
        }
    }
}
