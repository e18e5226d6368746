import AuditCore
import AuditStore
import Foundation
import TerminalUI

/// Wires the screen's Workbench to the store: reads through the signed-in user's account, and
/// opens the store for writing only to mark notifications read or save preferences (the screen
/// reads a read-only store).
final class StoreNotificationSource: NotificationSource, @unchecked Sendable {
    private let user: AppUser
    private let database: AuditDatabase
    private let openForWriting: () throws -> AuditDatabase
    private let lock = NSLock()
    private var writer: AuditDatabase?

    init(user: AppUser, database: AuditDatabase, openForWriting: @escaping () throws -> AuditDatabase) {
        self.user = user
        self.database = database
        self.openForWriting = openForWriting
    }

    func notifications(accountID: Int64) throws -> [StaffNotification] {
        try database.reader(for: user, accountID: accountID).notifications()
    }

    func unreadCount(accountID: Int64) throws -> Int {
        try database.reader(for: user, accountID: accountID).unreadNotificationCount()
    }

    func markRead(ids: [Int64]?, accountID: Int64) throws {
        try writingReader(accountID).markNotificationsRead(ids: ids)
    }

    func preferences(accountID: Int64) throws -> NotificationPreferences {
        try database.reader(for: user, accountID: accountID).notificationPreferences()
    }

    func savePreferences(_ preferences: NotificationPreferences, accountID: Int64) throws {
        try writingReader(accountID).setNotificationPreferences(preferences)
    }

    private func writingReader(_ accountID: Int64) throws -> AccountScopedReader {
        lock.lock(); defer { lock.unlock() }
        if writer == nil { writer = try openForWriting() }
        return try writer!.reader(for: user, accountID: accountID)
    }
}
