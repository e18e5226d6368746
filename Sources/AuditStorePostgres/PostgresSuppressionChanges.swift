import AuditCore
import AuditStore
import Foundation
import PostgresNIO

/// Suppression requests and removals (``SuppressionChangeStore``) on PostgreSQL, as the SQLite
/// store's `requestSuppressionRemoval` / `removeSuppression`: the active entry's columns and a
/// line of its trail in one transaction, after the same checks, with the same refusals.
extension PostgresAuditStore: SuppressionChangeStore {
    public func requestSuppressionRemoval(address: String, accountID: Int64, userID: Int64, note: String, at: Date) throws {
        try PostgresValueCheck.requireText(note, "the note")
        try changeSuppression(.requested, address: address, accountID: accountID, userID: userID, text: note, at: at)
    }

    public func removeSuppression(address: String, accountID: Int64, userID: Int64, reason: String, at: Date) throws {
        try PostgresValueCheck.requireText(reason, "the reason")
        try changeSuppression(.removed, address: address, accountID: accountID, userID: userID, text: reason, at: at)
    }

    /// Sets the request (or removal) time, user and text of the active entry and appends
    /// `action` to its trail, in one transaction, after checking the user may act on the
    /// account (and, for a removal, is support). The entry's row is updated under its lock, so
    /// of two removals at once the second finds no active entry.
    private func changeSuppression(_ action: SuppressionAction, address: String, accountID: Int64, userID: Int64,
                                   text: String, at: Date) throws {
        let key = EmailAddress.bare(address)
        try PostgresValueCheck.requireTime(at, "the time of the suppression change")
        let milliseconds = StoredEventCoding.milliseconds(at)
        try connection.transaction { db in
            let user = try self.user(id: userID, on: db)
            try requireAccount(accountID, on: db)
            guard user.isSupport || user.accountID == accountID else {
                throw PostgresStoreError.accountNotPermitted(user: user.name, accountID: accountID)
            }
            if action == .removed, !user.isSupport {
                throw PostgresStoreError.needsSupportRole(user: user.name, action: "remove a suppression")
            }
            // An address with a NUL character cannot be stored, so it is not suppressed.
            guard !StoredText.containsNUL(key) else { throw PostgresStoreError.notSuppressed(address: key) }
            let changed: Int
            if action == .removed {
                changed = try db.execute("""
                    UPDATE account_suppressions
                    SET lifted_at = timestamptz 'epoch' + \(milliseconds) * interval '1 millisecond', lifted_by = \(userID),
                        lift_reason = \(text)
                    WHERE account_id = \(accountID) AND address = \(key) AND lifted_at IS NULL
                    """)
            } else {
                changed = try db.execute("""
                    UPDATE account_suppressions
                    SET requested_at = timestamptz 'epoch' + \(milliseconds) * interval '1 millisecond', requested_by = \(userID),
                        request_note = \(text)
                    WHERE account_id = \(accountID) AND address = \(key) AND lifted_at IS NULL
                    """)
            }
            guard changed > 0 else { throw PostgresStoreError.notSuppressed(address: key) }
            try db.execute("""
                INSERT INTO suppression_history (account_id, address, at, action, user_id, user_name, note)
                VALUES (\(accountID), \(key), timestamptz 'epoch' + \(milliseconds) * interval '1 millisecond',
                        \(action.rawValue), \(userID), \(user.name), \(text))
                """)
        }
    }

    /// The user `id` (``PostgresStoreError/unknownUser(id:)`` when there is none).
    func user(id: Int64, on db: BlockingPostgresConnection) throws -> AppUser {
        guard let user = try rows("""
            SELECT id, name, login, role, account_id, staff_id FROM users WHERE id = \(id)
            """, on: db, { row in
            AppUser(id: try row[0].decode(Int64.self), name: try row[1].decode(String.self), login: try row[2].decode(String.self),
                    role: StaffRole(rawValue: try row[3].decode(String.self)) ?? .staff, accountID: try row[4].decode(Int64?.self),
                    staffID: try row[5].decode(Int64?.self))
        }).first else { throw PostgresStoreError.unknownUser(id: id) }
        return user
    }
}
