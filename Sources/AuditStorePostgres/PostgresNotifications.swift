import AuditCore
import AuditStore
import Foundation
import PostgresNIO

/// A user's notifications, marking them read, preferences and staff addresses
/// (``NotificationStore``) on PostgreSQL, with the SQLite store's answers and refusals.
/// Raising is `PostgresNotificationRaising.swift` (in the ingest transaction), digests
/// `PostgresNotificationDigests.swift`.
extension PostgresAuditStore: NotificationStore {
    /// A `timestamptz` column as whole milliseconds since 1970 (times are stored to the millisecond).
    static func milliseconds(_ column: String) -> String {
        "round(extract(epoch FROM \(column)) * 1000)::bigint"
    }

    public func notifications(accountID: Int64, userID: Int64, unreadOnly: Bool, limit: Int) throws -> [StaffNotification] {
        try rows("""
            SELECT n.id, n.email_id, n.status, \(unescaped: Self.milliseconds("n.raised_at")),
                   \(unescaped: Self.milliseconds("n.read_at")), n.delivery, e.subject, e.to_address,
                   \(unescaped: Self.milliseconds("e.created_at")), e.status_detail::text
            FROM notifications n
            JOIN emails e ON e.account_id = n.account_id AND e.id = n.email_id AND e.created_at = n.email_created_at
            WHERE n.account_id = \(accountID) AND n.user_id = \(userID) \(unescaped: unreadOnly ? "AND n.read_at IS NULL" : "")
            ORDER BY n.raised_at DESC, n.id DESC LIMIT \(Int64(max(0, limit)))
            """) { row in
            let status = EmailStatus(code: Int(try row[2].decode(Int16.self))) ?? .failed
            let reason = StoredEventCoding.statusDetail(json: try row[9].decode(String?.self))?.summary ?? ""
            return StaffNotification(
                id: try row[0].decode(Int64.self), emailID: try row[1].decode(Int64.self), status: status,
                raisedAt: StoredEventCoding.date(milliseconds: try row[3].decode(Int64.self)),
                readAt: try row[4].decode(Int64?.self).map(StoredEventCoding.date(milliseconds:)),
                delivery: NotificationDelivery(rawValue: try row[5].decode(String.self)) ?? .screen,
                subject: try row[6].decode(String.self), to: try row[7].decode(String.self),
                emailCreatedAt: StoredEventCoding.date(milliseconds: try row[8].decode(Int64.self)),
                reason: reason.isEmpty ? status.meaning : reason)
        }
    }

    public func unreadNotificationCount(accountID: Int64, userID: Int64) throws -> Int {
        Int(try int64("""
            SELECT count(*) FROM notifications WHERE account_id = \(accountID) AND user_id = \(userID) AND read_at IS NULL
            """, on: connection) ?? 0)
    }

    public func markNotificationsRead(accountID: Int64, userID: Int64, ids: [Int64]?, at: Date) throws -> Int {
        try PostgresValueCheck.requireTime(at, "the time notifications were read")
        let when = StoredEventCoding.milliseconds(at)
        return try connection.transaction { db in
            guard let ids else {
                return try db.execute("""
                    UPDATE notifications SET read_at = timestamptz 'epoch' + \(when) * interval '1 millisecond'
                    WHERE account_id = \(accountID) AND user_id = \(userID) AND read_at IS NULL
                    """)
            }
            let mine = Set(try rows("""
                SELECT id FROM notifications WHERE account_id = \(accountID) AND user_id = \(userID) AND id = ANY(\(ids))
                """, on: db) { try $0[0].decode(Int64.self) })
            if let other = ids.first(where: { !mine.contains($0) }) {
                throw PostgresStoreError.invalidValue("no notification \(other) of yours; `email-audit notifications` lists them")
            }
            return try db.execute("""
                UPDATE notifications SET read_at = timestamptz 'epoch' + \(when) * interval '1 millisecond'
                WHERE account_id = \(accountID) AND user_id = \(userID) AND id = ANY(\(ids)) AND read_at IS NULL
                """)
        }
    }

    public func notificationPreferences(userID: Int64) throws -> NotificationPreferences {
        try rows("""
            SELECT statuses, scope, delivery, digest_hour FROM notification_preferences WHERE user_id = \(userID)
            """) { row in
            NotificationPreferenceStorage.preferences(
                statuses: try row[0].decode(String.self), scope: try row[1].decode(String.self),
                delivery: try row[2].decode(String.self), digestHour: Int(try row[3].decode(Int32.self)))
        }.first ?? .standard
    }

    public func setNotificationPreferences(userID: Int64, _ preferences: NotificationPreferences) throws {
        try connection.execute("""
            INSERT INTO notification_preferences (user_id, statuses, scope, delivery, digest_hour)
            VALUES (\(userID), \(preferences.statusArgument), \(preferences.scope.rawValue), \(preferences.delivery.rawValue),
                    \(Int32(preferences.digestHour)))
            ON CONFLICT (user_id) DO UPDATE SET statuses = excluded.statuses, scope = excluded.scope,
                delivery = excluded.delivery, digest_hour = excluded.digest_hour
            """)
    }

    public func setStaffEmailDomain(accountID: Int64, domain: String) throws {
        try PostgresValueCheck.requireText(domain, "the staff email domain")
        try connection.transaction { db in
            try requireAccount(accountID, on: db)
            try db.execute("""
                UPDATE users SET email = login || '@' || \(domain.lowercased()) WHERE account_id = \(accountID) AND email = ''
                """)
        }
    }

    /// The id of the account's System staff record (who raises notification and digest emails),
    /// created if needed (`staff.is_system`; two writers create one). Nobody signs in as System.
    func systemStaffID(accountID: Int64, on db: BlockingPostgresConnection) throws -> Int64 {
        try db.execute("""
            INSERT INTO staff (account_id, name, role, is_system)
            VALUES (\(accountID), \(StaffUser.systemName), \(StaffRole.staff.rawValue), true)
            ON CONFLICT (account_id) WHERE is_system DO NOTHING
            """)
        return try int64("SELECT id FROM staff WHERE account_id = \(accountID) AND is_system", on: db)!
    }
}

/// The signed-in user's notifications through the PostgreSQL reader, as `AccountScopedReader`'s.
extension PostgresAuditReader: NotificationReader {
    public func notifications(unreadOnly: Bool, limit: Int) throws -> [StaffNotification] {
        try store.notifications(accountID: account.id, userID: user.id, unreadOnly: unreadOnly, limit: limit)
    }

    public func unreadNotificationCount() throws -> Int {
        try store.unreadNotificationCount(accountID: account.id, userID: user.id)
    }

    @discardableResult
    public func markNotificationsRead(ids: [Int64]?, at: Date) throws -> Int {
        try store.markNotificationsRead(accountID: account.id, userID: user.id, ids: ids, at: at)
    }

    public func notificationPreferences() throws -> NotificationPreferences {
        try store.notificationPreferences(userID: user.id)
    }

    /// Saves the user's preferences; a support user is refused (support belongs to no account,
    /// so nothing notifies them).
    public func setNotificationPreferences(_ preferences: NotificationPreferences) throws {
        guard !user.isSupport, user.accountID == account.id else {
            throw PostgresStoreError.invalidValue(NotificationRules.supportRefusal(user))
        }
        try store.setNotificationPreferences(userID: user.id, preferences)
    }
}
