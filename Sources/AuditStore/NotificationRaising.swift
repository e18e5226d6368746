import AuditCore
import Foundation
import GRDB

/// Raises notifications inside the ingest transaction that changed the statuses.
enum NotificationWriter {
    /// One user who may be notified.
    typealias Recipient = NotificationRecipient

    /// What a notification needs of the changed email, when the caller already read it (the
    /// ingest's status refresh does), so that the row is not read again.
    struct EmailFacts {
        var activity: Activity
        var subject: String
        /// Milliseconds since 1970.
        var createdAt: Int64
    }

    /// What ``raise(_:changes:known:days:deltas:timeZone:)`` wrote.
    struct Raised {
        var notifications = 0
        /// Notification emails recorded (Pending, raised by System).
        var emails = 0
    }

    /// For every change to Failed, Complained, Rejected or Unsubscribed of an email that is not
    /// itself a notification email, adds a notification for each staff user of the email's
    /// account whose preferences want it (once per account, email, status and user: the unique
    /// key ignores a repeat). A user who takes an email for each gets a notification email,
    /// recorded Pending and raised by the account's System staff record, counted in `deltas`.
    ///
    /// `known` holds the activity, subject and creation time of changed emails the caller already
    /// read; the others are read from the store.
    static func raise(_ db: Database, changes: [StatusChange], known: [Int64: EmailFacts] = [:],
                      days: inout LocalDayCalculator, deltas: inout RollupDeltas, timeZone: TimeZone) throws -> Raised {
        var raised = Raised()
        var recipients: [Int64: [Recipient]] = [:]
        var insert: RawStatement?
        for change in changes where change.new.raisesNotification {
            if recipients[change.accountID] == nil { recipients[change.accountID] = try self.recipients(db, accountID: change.accountID) }
            var read: EmailFacts?
            let wanting = try NotificationRules.recipients(of: change, among: recipients[change.accountID] ?? []) {
                if let found = known[change.emailID] {
                    read = found
                } else if let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT activity, subject, created_at FROM emails WHERE id = ?"),
                                                     arguments: [change.emailID]) {
                    read = EmailFacts(activity: Activity(rawValue: row[0]) ?? .external, subject: row[1], createdAt: row[2])
                }
                return read?.activity ?? .statusAlert
            }
            guard !wanting.isEmpty, let facts = read else { continue }
            let createdAt = StorageEncoding.date(milliseconds: facts.createdAt)
            let raisedAt = change.detail?.occurredAt ?? createdAt
            let at = StorageEncoding.milliseconds(raisedAt)
            // The changed email's sender, read at most once for all the users who take an email.
            var fromHeader: String?
            for user in wanting {
                let statement: RawStatement
                if let insert {
                    statement = insert
                } else {
                    statement = try RawStatement(db, sql: """
                        INSERT INTO notifications (account_id, user_id, email_id, status, raised_at, delivery)
                        VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, email_id, status, user_id) DO NOTHING
                        """)
                    insert = statement
                }
                statement.reset()
                statement.bind(1, change.accountID)
                statement.bind(2, user.userID)
                statement.bind(3, change.emailID)
                statement.bind(4, Int64(change.new.code))
                statement.bind(5, at)
                statement.bind(6, user.preferences.delivery.rawValue)
                try statement.run()
                guard db.changesCount > 0 else { continue }
                raised.notifications += 1
                let notificationID = db.lastInsertedRowID
                guard user.preferences.delivery == .email, !user.email.isEmpty else { continue }
                let sender: String
                if let fromHeader {
                    sender = fromHeader
                } else {
                    sender = try String.fetchOne(db.cachedStatement(sql: """
                        SELECT \(Senders.address(of: "emails")) FROM emails WHERE id = ?
                        """), arguments: [change.emailID]) ?? ""
                    fromHeader = sender
                }
                let notified = NotifiedEmail(
                    emailID: change.emailID, status: change.new, subject: facts.subject, to: change.to, createdAt: createdAt,
                    detail: change.detail, contacts: try AuditDatabase.unitRows(db, address: change.to, accountID: change.accountID))
                let email = NewEmail(
                    accountID: change.accountID, raisedByID: try AuditDatabase.systemStaffID(db, accountID: change.accountID),
                    activity: .statusAlert, to: user.email,
                    from: NotificationText.sender(domain: NotificationAddress.sendingDomain(fromHeader: sender)),
                    subject: NotificationText.subject(for: notified),
                    textBody: NotificationText.body(for: notified, userName: user.name, timeZone: timeZone), createdAt: raisedAt)
                let emailID = try AuditDatabase.insertPending(db, email, bodies: CompactText.Compressor(format: .plainText),
                                                               days: &days, deltas: &deltas)
                try db.cachedStatement(sql: "UPDATE notifications SET notice_email_id = ? WHERE id = ?")
                    .execute(arguments: [emailID, notificationID])
                raised.emails += 1
            }
        }
        return raised
    }

    /// The staff users of an account with their preferences (the standard ones when unchanged).
    static func recipients(_ db: Database, accountID: Int64) throws -> [Recipient] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT u.id, u.name, u.staff_id, u.email, p.statuses, p.scope, p.delivery, p.digest_hour
            FROM users u LEFT JOIN notification_preferences p ON p.user_id = u.id
            WHERE u.account_id = ? ORDER BY u.id
            """), arguments: [accountID]).map { row in
            Recipient(userID: row[0], name: row[1], staffID: row[2], email: row[3],
                      preferences: NotificationPreferenceStorage.preferences(statuses: row[4], scope: row[5], delivery: row[6],
                                                                             digestHour: row[7]))
        }
    }
}

/// How preferences are kept in `notification_preferences` (both backends' tables).
package enum NotificationPreferenceStorage {
    /// The preferences of a row (all nil: no row, the standard ones).
    package static func preferences(statuses: String?, scope: String?, delivery: String?, digestHour: Int?) -> NotificationPreferences {
        guard let statuses else { return .standard }
        let parsed = (try? NotificationPreferences.parseStatuses(statuses).get()) ?? []
        return NotificationPreferences(statuses: parsed, scope: scope.flatMap(NotificationScope.init(rawValue:)) ?? .mine,
                                       delivery: delivery.flatMap(NotificationDelivery.init(rawValue:)) ?? .screen,
                                       digestHour: digestHour ?? NotificationPreferences.standard.digestHour)
    }
}

extension AuditDatabase {
    /// The id of the account's System staff record (who raises notification emails), creating
    /// it if needed. It is no user: nobody signs in as System.
    static func systemStaffID(_ db: Database, accountID: Int64) throws -> Int64 {
        try pseudoStaffID(db, accountID: accountID, kind: 2, name: StaffUser.systemName)
    }
}

extension NotificationWriter {
    /// Moves the notifications of an email merged into another (an External row whose events
    /// turned out to be a recorded email's); one the other already has is dropped.
    static func move(_ db: Database, from source: Int64, to target: Int64) throws {
        try db.execute(sql: "UPDATE OR IGNORE notifications SET email_id = ? WHERE email_id = ?", arguments: [target, source])
        try db.execute(sql: "DELETE FROM notifications WHERE email_id = ?", arguments: [source])
    }
}
