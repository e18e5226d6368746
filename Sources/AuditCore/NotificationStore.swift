import Foundation

/// A user of an account who may be notified of its emails' status changes, with their
/// preferences (the standard ones until they change them).
public struct NotificationRecipient: Sendable, Hashable {
    public var userID: Int64
    public var name: String
    /// The user's staff record (whose emails are "mine").
    public var staffID: Int64?
    /// Where notification and digest emails go ('' for none: on screen only).
    public var email: String
    public var preferences: NotificationPreferences

    public init(userID: Int64, name: String, staffID: Int64?, email: String, preferences: NotificationPreferences) {
        self.userID = userID
        self.name = name
        self.staffID = staffID
        self.email = email
        self.preferences = preferences
    }
}

extension NotificationRules {
    /// The users to notify of `change`, of the users of its email's account, in their order:
    /// none unless the new status raises notifications for an email of that activity
    /// (``raises(_:activity:)``), else those whose preferences want it
    /// (``NotificationPreferences/wants(_:raisedByID:userStaffID:)``). The one rule both
    /// backends apply in their ingest transaction.
    ///
    /// `activity` is asked for only when some user wants the change (a store reads it then).
    public static func recipients(of change: StatusChange, among users: [NotificationRecipient],
                                  activity: () throws -> Activity) rethrows -> [NotificationRecipient] {
        guard change.new.raisesNotification else { return [] }
        let wanting = users.filter { $0.preferences.wants(change.new, raisedByID: change.raisedByID, userStaffID: $0.staffID) }
        guard !wanting.isEmpty, raises(change.new, activity: try activity()) else { return [] }
        return wanting
    }
}

/// One digest email recorded by ``NotificationStore/sendDigests(at:)``.
public struct DigestSent: Sendable, Hashable {
    public var accountID: Int64
    public var userID: Int64
    public var userName: String
    /// The local day whose notifications it gathers.
    public var day: CalendarDay
    /// The digest email (Pending, raised by System; the batch feeder hands it over).
    public var emailID: Int64
    /// How many notifications it gathers.
    public var notifications: Int

    public init(accountID: Int64, userID: Int64, userName: String, day: CalendarDay, emailID: Int64, notifications: Int) {
        self.accountID = accountID
        self.userID = userID
        self.userName = userName
        self.day = day
        self.emailID = emailID
        self.notifications = notifications
    }
}

/// The notifications of the store contract: what the Workbench, `email-audit notifications` and
/// `prefs` read and change, and the daily digests. Notifications themselves are raised by
/// ``EventIngestStore/apply(_:defaultAccountID:)`` in its transaction
/// (``NotificationRules/recipients(of:among:activity:)``). The SQLite store (`AuditDatabase`)
/// and the PostgreSQL store (`PostgresAuditStore`) conform; a signed-in user reads through
/// their reader (``NotificationReader``).
public protocol NotificationStore: DigestRecordingStore {
    /// User `userID`'s notifications in `accountID`, newest first (by time raised, then id).
    func notifications(accountID: Int64, userID: Int64, unreadOnly: Bool, limit: Int) throws -> [StaffNotification]
    /// How many of user `userID`'s notifications in `accountID` are unread.
    func unreadNotificationCount(accountID: Int64, userID: Int64) throws -> Int
    /// Marks user `userID`'s notifications in `accountID` read: those of `ids`, or every unread
    /// one when nil; returns how many changed. An id that is not one of the user's in the
    /// account is refused ("no notification N of yours; ...") and nothing changes.
    func markNotificationsRead(accountID: Int64, userID: Int64, ids: [Int64]?, at: Date) throws -> Int
    /// User `userID`'s preferences (``NotificationPreferences/standard`` until changed).
    func notificationPreferences(userID: Int64) throws -> NotificationPreferences
    /// Saves user `userID`'s preferences; they apply to status changes from then on.
    func setNotificationPreferences(userID: Int64, _ preferences: NotificationPreferences) throws
    /// Gives the staff users of `accountID` who have no address one on `domain` (`login@domain`).
    func setStaffEmailDomain(accountID: Int64, domain: String) throws
    /// Records the daily digests due at `now` in one transaction: for each user who takes a
    /// digest and has an address, one email per local day (midnight to midnight in the store's
    /// zone, also when the clocks change) once their digest hour has passed the next day,
    /// raised by the account's System staff record, Pending. A user's day is digested once,
    /// also when called again or from two processes.
    func sendDigests(at now: Date) throws -> [DigestSent]
}

extension NotificationStore {
    /// The digests recorded, counted (the batch feeder's part of a hand-over run).
    public func recordDueDigests(at now: Date) throws -> Int {
        try sendDigests(at: now).count
    }
}

/// A signed-in user's notifications and preferences in the account they work in: both
/// backends' readers (`AccountScopedReader`, `PostgresAuditReader`).
public protocol NotificationReader {
    /// The user's notifications in the account, newest first (only unread ones when `unreadOnly`).
    func notifications(unreadOnly: Bool, limit: Int) throws -> [StaffNotification]
    /// How many of them are unread.
    func unreadNotificationCount() throws -> Int
    /// Marks those of `ids` read (another user's or account's id is refused, nothing changes),
    /// or all of them when nil; returns how many changed.
    @discardableResult
    func markNotificationsRead(ids: [Int64]?, at: Date) throws -> Int
    /// The user's preferences.
    func notificationPreferences() throws -> NotificationPreferences
    /// Saves the user's preferences; a support user (no account) is refused.
    func setNotificationPreferences(_ preferences: NotificationPreferences) throws
}

extension NotificationReader {
    /// The user's notifications, newest first (up to 1,000).
    public func notifications() throws -> [StaffNotification] {
        try notifications(unreadOnly: false, limit: 1_000)
    }

    /// The user's notifications, newest first (up to 1,000; only unread ones when `unreadOnly`).
    public func notifications(unreadOnly: Bool) throws -> [StaffNotification] {
        try notifications(unreadOnly: unreadOnly, limit: 1_000)
    }

    /// Marks notifications read now.
    @discardableResult
    public func markNotificationsRead(ids: [Int64]?) throws -> Int {
        try markNotificationsRead(ids: ids, at: Date())
    }
}

extension NotificationRules {
    /// The words both backends refuse a support user's preferences with.
    public static func supportRefusal(_ user: AppUser) -> String {
        "\(user.name) is on the support team, which gets no notifications (they go to the account's staff)"
    }
}
