import AuditCore
import Foundation

/// The store as one signed-in user sees it: every read names the reader's current account,
/// so a staff user gets nothing of another account through any method here.
///
/// This is the only public way to read emails, counts, units, staff and suppressions
/// (``AuditDatabase``'s unscoped reads are `package`). A support user may move to any account
/// with ``selectAccount(_:)``; a staff user stays in their own. `AccountIsolationTests` probes
/// every public method of this type with two look-alike accounts, and fails when one is added
/// without a probe.
public final class AccountScopedReader: AuditReader, @unchecked Sendable {
    /// The store read.
    public let database: AuditDatabase
    /// Who is signed in.
    public let user: AppUser
    private let lock = NSLock()
    private var current: Account

    init(database: AuditDatabase, user: AppUser, account: Account) {
        self.database = database
        self.user = user
        current = account
    }

    /// The account every read answers for.
    public var account: Account {
        lock.lock(); defer { lock.unlock() }
        return current
    }

    /// The zone the store shows days and times in.
    public var timeZone: TimeZone { database.timeZone }

    public func summaries(matching filter: EmailFilter, from cursor: EmailCursor?, direction: PageDirection,
                          limit: Int, now: Date) throws -> [EmailSummary] {
        try database.summaries(matching: scoped(filter), from: cursor, direction: direction, limit: limit, now: now)
    }

    public func statusCounts(matching filter: EmailFilter, now: Date) throws -> StatusCounts {
        try database.statusCounts(matching: scoped(filter), now: now)
    }

    public func detail(emailID: Int64) throws -> EmailDetail? {
        let id = account.id
        guard var detail = try database.detail(emailID: emailID, accountID: id) else { return nil }
        detail.suppression = try database.suppression(for: detail.email.to, accountID: id)
        detail.links = try database.resendLinks(emailIDs: [emailID], accountID: id)[emailID] ?? ResendLinks()
        return detail
    }

    /// The raw provider JSON of each event of an email of the account, oldest first, exactly
    /// as the provider sent it (none for another account's email).
    public func rawEvents(emailID: Int64) throws -> [String] {
        try database.rawEvents(emailID: emailID, accountID: account.id)
    }

    public func unitSearch(address: String) throws -> [UnitContactRow] {
        try database.unitSearch(address: address, accountID: account.id)
    }

    public func staff(accountID: Int64?) throws -> [StaffUser] {
        let id = account.id
        if let accountID, accountID != id { throw StoreError.accountNotPermitted(user: user.name, accountID: accountID) }
        return try database.staff(accountID: id)
    }

    public func accounts() throws -> [Account] {
        try database.accounts(for: user)
    }

    public func selectAccount(_ accountID: Int64) throws -> Account {
        guard let chosen = try accounts().first(where: { $0.id == accountID }) else {
            if user.isSupport { throw StoreError.unknownAccount(id: accountID) }
            throw StoreError.accountNotPermitted(user: user.name, accountID: accountID)
        }
        lock.lock(); defer { lock.unlock() }
        current = chosen
        return chosen
    }

    public func suppressions() throws -> [SuppressionEntry] {
        try database.suppressions(accountID: account.id)
    }

    public func suppression(for address: String) throws -> SuppressionEntry? {
        try database.suppression(for: address, accountID: account.id)
    }

    public func suppressionHistory(address: String) throws -> [SuppressionHistoryItem] {
        try database.suppressionHistory(address: address, accountID: account.id)
    }

    public func changeToken() throws -> Int64 {
        try database.changeToken()
    }

    /// The status details of those of `emailIDs` that are the account's, by id (for exports).
    public func statusDetails(emailIDs: [Int64]) throws -> [Int64: StatusDetail] {
        try database.statusDetails(emailIDs: emailIDs, accountID: account.id)
    }

    /// The account's emails with a provider message id (with or without its angle brackets, one
    /// per recipient), ascending.
    public func emailIDs(messageID: String) throws -> [Int64] {
        try database.emailIDs(messageID: messageID, accountID: account.id)
    }

    /// The account's emails with a provider message id, ascending; `accountID` may be nil or the
    /// reader's account (another account is refused, as ``staff(accountID:)`` does).
    public func emailIDs(messageID: String, accountID: Int64?) throws -> [Int64] {
        let id = account.id
        if let accountID, accountID != id { throw StoreError.accountNotPermitted(user: user.name, accountID: accountID) }
        return try database.emailIDs(messageID: messageID, accountID: id)
    }

    /// Failed, Complained and Rejected emails of the filter in the reader's account per recipient
    /// domain, most first.
    public func domainBreakdown(matching filter: EmailFilter, now: Date) throws -> [DomainFailures] {
        try database.domainBreakdown(matching: scoped(filter), now: now)
    }

    /// The feeder's last success and failure and the account's Pending emails, for the screen's
    /// warning; `accountID` may be nil or the reader's account (another account is refused).
    public func handOverHealth(accountID: Int64?, now: Date) throws -> HandOverHealth {
        let id = account.id
        if let accountID, accountID != id { throw StoreError.accountNotPermitted(user: user.name, accountID: accountID) }
        return try database.handOverHealth(accountID: id, now: now)
    }

    /// Asks support to remove the suppression of `address`, with a note (any user of the account).
    public func requestSuppressionRemoval(address: String, note: String, at: Date = Date()) throws {
        try database.requestSuppressionRemoval(address: address, accountID: account.id, userID: user.id, note: note, at: at)
    }

    /// Removes the suppression of `address` with a reason (support only; a staff user is refused
    /// with ``StoreError/needsSupportRole(user:action:)`` and nothing changes).
    public func removeSuppression(address: String, reason: String, at: Date = Date()) throws {
        try database.removeSuppression(address: address, accountID: account.id, userID: user.id, reason: reason, at: at)
    }

    /// The signed-in user's notifications in the account, newest first (only unread ones when
    /// `unreadOnly`). A support user, who belongs to no account, has none.
    public func notifications(unreadOnly: Bool, limit: Int) throws -> [StaffNotification] {
        try database.notifications(accountID: account.id, userID: user.id, unreadOnly: unreadOnly, limit: limit)
    }

    /// How many of the signed-in user's notifications in the account are unread.
    public func unreadNotificationCount() throws -> Int {
        try database.unreadNotificationCount(accountID: account.id, userID: user.id)
    }

    /// Marks the signed-in user's notifications read: those of `ids` (another user's or account's
    /// id is refused and nothing changes), or all of them when nil. Returns how many changed.
    @discardableResult
    public func markNotificationsRead(ids: [Int64]?, at: Date) throws -> Int {
        try database.markNotificationsRead(accountID: account.id, userID: user.id, ids: ids, at: at)
    }

    /// The signed-in user's notification preferences.
    public func notificationPreferences() throws -> NotificationPreferences {
        try database.notificationPreferences(userID: user.id)
    }

    /// Saves the signed-in user's notification preferences. A support user is refused: support
    /// belongs to no account, so nothing notifies them.
    public func setNotificationPreferences(_ preferences: NotificationPreferences) throws {
        guard !user.isSupport, user.accountID == account.id else {
            throw StoreError.invalidValue(NotificationRules.supportRefusal(user))
        }
        try database.setNotificationPreferences(userID: user.id, preferences)
    }

    /// Resends one of the account's emails as a new Pending email raised by the signed-in
    /// user, to `to` (the original's To when nil), linked both ways; with `updateContacts`, the
    /// account's contact records that used the original address move to the new one.
    ///
    /// - Throws: ``ResendRefusal`` (another account's email is not found; a suppressed address
    ///   is refused with its entry), and nothing is recorded.
    public func resend(emailID: Int64, to: String?, updateContacts: Bool, at: Date = Date()) throws -> ResendOutcome {
        try database.resend(emailID: emailID, accountID: account.id, user: user, to: to, updateContacts: updateContacts, at: at)
    }

    /// The resend links of those of `emailIDs` that are the account's and have any (for exports).
    public func resendLinks(emailIDs: [Int64]) throws -> [Int64: ResendLinks] {
        try database.resendLinks(emailIDs: emailIDs, accountID: account.id)
    }

    /// `filter` with the reader's account, whatever it said.
    private func scoped(_ filter: EmailFilter) -> EmailFilter {
        var scoped = filter
        scoped.accountID = account.id
        return scoped
    }
}
