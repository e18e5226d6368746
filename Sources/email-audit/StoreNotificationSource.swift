import AuditCore
import AuditStore
import AuditStorePostgres
import Foundation
import TerminalUI

/// Wires the screen's Workbench to the store, on either backend: reads through the signed-in
/// user's account; on SQLite it opens the store for writing only to mark notifications read or
/// save preferences (the screen reads a read-only store), on PostgreSQL the screen's connection
/// does both.
final class StoreNotificationSource: NotificationSource, @unchecked Sendable {
    private let reading: (Int64) throws -> any NotificationReader
    private let writing: (Int64) throws -> any NotificationReader

    private init(reading: @escaping (Int64) throws -> any NotificationReader, writing: @escaping (Int64) throws -> any NotificationReader) {
        self.reading = reading
        self.writing = writing
    }

    /// On a SQLite store: reads through `database`, writes through the store `openForWriting`
    /// opens (once, on the first write).
    convenience init(user: AppUser, database: AuditDatabase, openForWriting: @escaping () throws -> AuditDatabase) {
        let writer = OpenedOnce(openForWriting)
        self.init(reading: { try database.reader(for: user, accountID: $0) },
                  writing: { try writer.value().reader(for: user, accountID: $0) })
    }

    /// On a PostgreSQL store: reads and writes through `store`'s connection.
    convenience init(user: AppUser, store: PostgresAuditStore) {
        let reader: (Int64) throws -> any NotificationReader = { try store.reader(for: user, accountID: $0) }
        self.init(reading: reader, writing: reader)
    }

    func notifications(accountID: Int64) throws -> [StaffNotification] {
        try reading(accountID).notifications()
    }

    func unreadCount(accountID: Int64) throws -> Int {
        try reading(accountID).unreadNotificationCount()
    }

    func markRead(ids: [Int64]?, accountID: Int64) throws {
        try writing(accountID).markNotificationsRead(ids: ids)
    }

    func preferences(accountID: Int64) throws -> NotificationPreferences {
        try reading(accountID).notificationPreferences()
    }

    func savePreferences(_ preferences: NotificationPreferences, accountID: Int64) throws {
        try writing(accountID).setNotificationPreferences(preferences)
    }
}

/// A value made on first use, once (under a lock).
private final class OpenedOnce<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private let make: () throws -> Value
    private var made: Value?

    init(_ make: @escaping () throws -> Value) {
        self.make = make
    }

    func value() throws -> Value {
        lock.lock(); defer { lock.unlock() }
        if let made { return made }
        let value = try make()
        made = value
        return value
    }
}
