import AuditCore
import Foundation
import GRDB

/// A user's notifications (read through ``AccountScopedReader``, which supplies the account and
/// the user).
extension AuditDatabase {
    /// The notifications of user `userID` in `accountID`, newest first.
    public func notifications(accountID: Int64, userID: Int64, unreadOnly: Bool, limit: Int) throws -> [StaffNotification] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT n.id, n.email_id, n.status, n.raised_at, n.read_at, n.delivery, e.subject, e.to_address, e.created_at,
                       e.status_detail
                FROM notifications n JOIN emails e ON e.id = n.email_id AND e.account_id = n.account_id
                WHERE n.account_id = ? AND n.user_id = ? \(unreadOnly ? "AND n.read_at IS NULL" : "")
                ORDER BY n.raised_at DESC, n.id DESC LIMIT ?
                """, arguments: [accountID, userID, max(0, limit)]).map { row in
                let status = EmailStatus(code: row[2]) ?? .failed
                let detail = StorageEncoding.decodeStatusDetail(row[9])
                let reason = detail?.summary ?? ""
                return StaffNotification(
                    id: row[0], emailID: row[1], status: status, raisedAt: StorageEncoding.date(milliseconds: row[3]),
                    readAt: (row[4] as Int64?).map(StorageEncoding.date(milliseconds:)),
                    delivery: NotificationDelivery(rawValue: row[5]) ?? .screen, subject: row[6], to: row[7],
                    emailCreatedAt: StorageEncoding.date(milliseconds: row[8]), reason: reason.isEmpty ? status.meaning : reason)
            }
        }
    }

    /// How many of user `userID`'s notifications in `accountID` are unread.
    public func unreadNotificationCount(accountID: Int64, userID: Int64) throws -> Int {
        try read { db in
            try Int.fetchOne(db.cachedStatement(sql: """
                SELECT count(*) FROM notifications WHERE account_id = ? AND user_id = ? AND read_at IS NULL
                """), arguments: [accountID, userID]) ?? 0
        }
    }

    /// Marks user `userID`'s notifications in `accountID` read: those of `ids`, or every unread
    /// one when nil. Returns how many changed.
    ///
    /// - Throws: ``StoreError/invalidValue(_:)`` naming an id that is not one of the user's
    ///   notifications in the account (nothing is changed then).
    public func markNotificationsRead(accountID: Int64, userID: Int64, ids: [Int64]?, at: Date) throws -> Int {
        try write { db in
            let when = StorageEncoding.milliseconds(at)
            guard let ids else {
                try db.execute(sql: "UPDATE notifications SET read_at = ? WHERE account_id = ? AND user_id = ? AND read_at IS NULL",
                               arguments: [when, accountID, userID])
                let changed = db.changesCount
                if changed > 0 { try bumpChangeCounter(db) }
                return changed
            }
            for id in ids {
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM notifications WHERE id = ? AND account_id = ? AND user_id = ?",
                                        arguments: [id, accountID, userID]) != nil else {
                    throw StoreError.invalidValue("no notification \(id) of yours; `email-audit notifications` lists them")
                }
            }
            var changed = 0
            for id in ids {
                try db.execute(sql: "UPDATE notifications SET read_at = ? WHERE id = ? AND read_at IS NULL", arguments: [when, id])
                changed += db.changesCount
            }
            if changed > 0 { try bumpChangeCounter(db) }
            return changed
        }
    }

    /// User `userID`'s notification preferences (the standard ones until they change them).
    public func notificationPreferences(userID: Int64) throws -> NotificationPreferences {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT statuses, scope, delivery, digest_hour FROM notification_preferences WHERE user_id = ?
                """, arguments: [userID]) else { return .standard }
            return NotificationPreferenceStorage.preferences(statuses: row[0], scope: row[1], delivery: row[2], digestHour: row[3])
        }
    }

    /// Saves user `userID`'s notification preferences; they apply to status changes from now on.
    public func setNotificationPreferences(userID: Int64, _ preferences: NotificationPreferences) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO notification_preferences (user_id, statuses, scope, delivery, digest_hour) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET statuses = excluded.statuses, scope = excluded.scope,
                    delivery = excluded.delivery, digest_hour = excluded.digest_hour
                """, arguments: [userID, preferences.statusArgument, preferences.scope.rawValue, preferences.delivery.rawValue,
                                 preferences.digestHour])
            try bumpChangeCounter(db)
        }
    }

    /// Gives the staff users of `accountID` who have no address one on `domain`
    /// (`login@domain`), where their notification emails go.
    public func setStaffEmailDomain(accountID: Int64, domain: String) throws {
        try StoredValueCheck.requireText(domain, "the staff email domain")
        try write { db in
            try Self.requireAccount(db, accountID)
            try db.execute(sql: "UPDATE users SET email = login || '@' || ? WHERE account_id = ? AND email = ''",
                           arguments: [domain.lowercased(), accountID])
        }
    }
}
