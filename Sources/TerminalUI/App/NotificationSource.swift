import AuditCore

/// The signed-in user's notifications and preferences, wired in by the executable (which reads
/// through the user's account and opens the store for writing only to mark read or save).
/// Every call names the account the screen works in.
public protocol NotificationSource: Sendable {
    /// The user's notifications in the account, newest first.
    func notifications(accountID: Int64) throws -> [StaffNotification]
    /// How many of them are unread.
    func unreadCount(accountID: Int64) throws -> Int
    /// Marks those of `ids` read, or all of them when nil.
    func markRead(ids: [Int64]?, accountID: Int64) throws
    /// The user's notification preferences.
    func preferences(accountID: Int64) throws -> NotificationPreferences
    /// Saves the user's notification preferences (refused for a support user).
    func savePreferences(_ preferences: NotificationPreferences, accountID: Int64) throws
}
