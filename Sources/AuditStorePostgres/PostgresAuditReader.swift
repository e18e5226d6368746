import AuditCore
import AuditStore
import Foundation
import PostgresNIO

/// The read side of the audit (``AuditReader``) on PostgreSQL: one signed-in user's view of one
/// account at a time, with the answers of the SQLite store's `AccountScopedReader`.
///
/// Every query names the reader's current account (a filter's own account is replaced by it),
/// so nothing of another account is read through any method here. A support user moves to
/// another account with ``selectAccount(_:)``; a staff user stays in their own. Make one with
/// ``PostgresAuditStore/reader(for:accountID:)``.
public final class PostgresAuditReader: AuditReader, @unchecked Sendable {
    /// The store read.
    public let store: PostgresAuditStore
    /// Who is signed in.
    public let user: AppUser
    private let lock = NSLock()
    private var current: Account

    init(store: PostgresAuditStore, user: AppUser, account: Account) {
        self.store = store
        self.user = user
        current = account
    }

    /// The account every read answers for.
    public var account: Account {
        lock.lock(); defer { lock.unlock() }
        return current
    }

    /// The zone the store shows days and times in (its partition and roll-up zone).
    public var timeZone: TimeZone { store.timeZone }

    public func summaries(matching filter: EmailFilter, from cursor: EmailCursor?, direction: PageDirection,
                          limit: Int, now: Date) throws -> [EmailSummary] {
        try store.summaries(matching: filter, accountID: account.id, from: cursor, direction: direction, limit: limit, now: now)
    }

    public func statusCounts(matching filter: EmailFilter, now: Date) throws -> StatusCounts {
        try store.statusCounts(matching: filter, accountID: account.id, now: now)
    }

    public func detail(emailID: Int64) throws -> EmailDetail? {
        let id = account.id
        guard let email = try store.recordedEmail(id: emailID, inAccount: id) else { return nil }
        let events = try store.rows("""
            SELECT \(unescaped: PostgresAuditStore.eventColumns) FROM events v
            WHERE v.account_id = \(id) AND v.email_id = \(emailID)
              AND v.email_created_at = (SELECT created_at FROM email_keys WHERE account_id = \(id) AND id = \(emailID))
            ORDER BY v.occurred_at, v.id
            """, PostgresAuditStore.providerEvent(from:))
        var detail = EmailDetail(email: email, events: events, units: try store.unitRows(address: email.to, accountID: id, on: store.connection))
        detail.suppression = try suppression(for: email.to)
        detail.links = try resendLinks(emailIDs: [emailID])[emailID] ?? ResendLinks()
        return detail
    }

    /// The raw provider JSON of each event of an email of the account, oldest first, exactly
    /// as the provider sent it (decoded from the compact bytes both stores keep; none for
    /// another account's email).
    public func rawEvents(emailID: Int64) throws -> [String] {
        let id = account.id
        let decompressor = StoredEventCoding.RawEventDecompressor()
        return try store.rows("""
            SELECT v.raw_json, v.provider_event_id, v.kind, v.event_key, (extract(epoch FROM v.occurred_at) * 1000000)::bigint, v.mx_host
            FROM events v
            WHERE v.account_id = \(id) AND v.email_id = \(emailID)
              AND v.email_created_at = (SELECT created_at FROM email_keys WHERE account_id = \(id) AND id = \(emailID))
            ORDER BY v.occurred_at, v.id
            """) { row in
            let bytes = Array(try row[0].decode(Data.self))
            do {
                return try StoredEventCoding.rawJSONText(bytes, providerEventID: try row[1].decode(String.self),
                                                         kind: try row[2].decode(String.self), storedKey: try row[3].decode(String.self),
                                                         occurredAtMicroseconds: try row[4].decode(Int64.self),
                                                         mxHost: try row[5].decode(String?.self), decompressor: decompressor)
            } catch let error as StoredEventCoding.CompactTextError {
                throw PostgresStoreError.server(location: store.location, sqlState: "XX001",
                                                message: "a stored raw event of email \(emailID) is corrupt (\(error.description))")
            }
        }
    }

    public func unitSearch(address: String) throws -> [UnitContactRow] {
        try store.unitSearch(address: address, inAccount: account.id)
    }

    public func staff(accountID: Int64?) throws -> [StaffUser] {
        try store.staff(inAccount: try permitted(accountID))
    }

    public func accounts() throws -> [Account] {
        let all = try store.rows("SELECT id, name FROM accounts ORDER BY id") {
            Account(id: try $0[0].decode(Int64.self), name: try $0[1].decode(String.self))
        }
        return user.isSupport ? all : all.filter { $0.id == user.accountID }
    }

    public func selectAccount(_ accountID: Int64) throws -> Account {
        guard let chosen = try accounts().first(where: { $0.id == accountID }) else {
            if user.isSupport { throw PostgresStoreError.unknownAccount(id: accountID) }
            throw PostgresStoreError.accountNotPermitted(user: user.name, accountID: accountID)
        }
        lock.lock(); defer { lock.unlock() }
        current = chosen
        return chosen
    }

    public func suppressions() throws -> [SuppressionEntry] {
        try store.suppressions(accountID: account.id, address: nil)
    }

    public func suppression(for address: String) throws -> SuppressionEntry? {
        let key = EmailAddress.bare(address)
        guard !StoredText.containsNUL(key) else { return nil }
        return try store.suppressions(accountID: account.id, address: key).first
    }

    public func suppressionHistory(address: String) throws -> [SuppressionHistoryItem] {
        let key = EmailAddress.bare(address)
        guard !StoredText.containsNUL(key) else { return [] }
        return try store.rows("""
            SELECT round(extract(epoch FROM at) * 1000)::bigint, action, user_name, note FROM suppression_history
            WHERE account_id = \(account.id) AND address = \(key) ORDER BY at, id
            """) { row in
            SuppressionHistoryItem(at: StoredEventCoding.date(milliseconds: try row[0].decode(Int64.self)),
                                   action: SuppressionAction(rawValue: try row[1].decode(String.self)) ?? .added,
                                   by: try row[2].decode(String.self), note: try row[3].decode(String.self))
        }
    }

    public func changeToken() throws -> Int64 {
        try store.changeToken()
    }

    /// The account's emails with a provider message id (with or without its angle brackets, one
    /// per recipient), ascending.
    public func emailIDs(messageID: String) throws -> [Int64] {
        let bare = ProviderMessageID.bare(messageID)
        guard !StoredText.containsNUL(bare) else { return [] }
        return try store.rows("""
            SELECT id FROM emails WHERE message_hash = \(StoredEventCoding.messageHash(bare)) AND provider_message_id = \(bare)
              AND account_id = \(account.id) ORDER BY id
            """) { try $0[0].decode(Int64.self) }
    }

    public func emailIDs(messageID: String, accountID: Int64?) throws -> [Int64] {
        _ = try permitted(accountID)
        return try emailIDs(messageID: messageID)
    }

    public func domainBreakdown(matching filter: EmailFilter, now: Date) throws -> [DomainFailures] {
        try store.domainBreakdown(matching: filter, accountID: account.id, now: now)
    }

    public func handOverHealth(accountID: Int64?, now: Date) throws -> HandOverHealth {
        try store.handOverHealth(accountID: try permitted(accountID), now: now)
    }

    /// The status details of those of `emailIDs` that are the account's, by id (for exports).
    public func statusDetails(emailIDs: [Int64]) throws -> [Int64: StatusDetail] {
        guard !emailIDs.isEmpty else { return [:] }
        var found: [Int64: StatusDetail] = [:]
        for (id, json) in try store.rows("""
            SELECT id, status_detail::text FROM emails
            WHERE account_id = \(account.id) AND id = ANY(\(emailIDs)) AND status_detail IS NOT NULL
            """, { (try $0[0].decode(Int64.self), try $0[1].decode(String.self)) }) {
            if let detail = StoredEventCoding.statusDetail(json: json) { found[id] = detail }
        }
        return found
    }

    /// The resend links of those of `emailIDs` that are the account's and have any (for exports).
    public func resendLinks(emailIDs: [Int64]) throws -> [Int64: ResendLinks] {
        guard !emailIDs.isEmpty else { return [:] }
        let id = account.id
        var links: [Int64: ResendLinks] = [:]
        for (resend, original, originalTo, to, contacts) in try store.rows("""
            SELECT resend_id, original_id, original_to, to_address, contacts_updated FROM email_resends
            WHERE account_id = \(id) AND resend_id = ANY(\(emailIDs))
            """, { (try $0[0].decode(Int64.self), try $0[1].decode(Int64.self), try $0[2].decode(String.self),
                    try $0[3].decode(String.self), try $0[4].decode(Int32.self)) }) {
            links[resend, default: ResendLinks()].resendOf = original
            links[resend, default: ResendLinks()].correctedFrom = originalTo == to ? nil : originalTo
            links[resend, default: ResendLinks()].contactsUpdated = Int(contacts)
        }
        for (original, resend) in try store.rows("""
            SELECT original_id, resend_id FROM email_resends WHERE account_id = \(id) AND original_id = ANY(\(emailIDs))
            ORDER BY resend_id
            """, { (try $0[0].decode(Int64.self), try $0[1].decode(Int64.self)) }) {
            links[original, default: ResendLinks()].resentAs.append(resend)
        }
        return links
    }

    /// The reader's account when `accountID` is nil or names it; another account is refused.
    private func permitted(_ accountID: Int64?) throws -> Int64 {
        let id = account.id
        if let accountID, accountID != id { throw PostgresStoreError.accountNotPermitted(user: user.name, accountID: accountID) }
        return id
    }
}

/// Readers and users.
extension PostgresAuditStore {
    /// A reader for `user` that answers only for `accountID`.
    ///
    /// - Throws: ``PostgresStoreError/accountNotPermitted(user:accountID:)`` when a staff user
    ///   asks for another account; ``PostgresStoreError/unknownAccount(id:)`` for an account that
    ///   does not exist.
    public func reader(for user: AppUser, accountID: Int64) throws -> PostgresAuditReader {
        guard user.isSupport || user.accountID == accountID else {
            throw PostgresStoreError.accountNotPermitted(user: user.name, accountID: accountID)
        }
        guard let name = try rows("SELECT name FROM accounts WHERE id = \(accountID)", { try $0[0].decode(String.self) }).first else {
            throw PostgresStoreError.unknownAccount(id: accountID)
        }
        return PostgresAuditReader(store: self, user: user, account: Account(id: accountID, name: name))
    }

    /// Every user, support team first, then by account and name (as the SQLite store's `users()`).
    public func users() throws -> [AppUser] {
        try rows("""
            SELECT id, name, login, role, account_id, staff_id FROM users
            ORDER BY account_id IS NOT NULL, account_id, \(unescaped: Self.noCase("name")), id
            """) { row in
            AppUser(id: try row[0].decode(Int64.self), name: try row[1].decode(String.self), login: try row[2].decode(String.self),
                    role: StaffRole(rawValue: try row[3].decode(String.self)) ?? .staff, accountID: try row[4].decode(Int64?.self),
                    staffID: try row[5].decode(Int64?.self))
        }
    }

    /// The account's active suppressions, newest first (only `address`'s when given), each
    /// with the emails the provider blocked since (as the SQLite store counts them); on `db`
    /// inside its transaction when given.
    func suppressions(accountID: Int64, address: String?, on db: BlockingPostgresConnection? = nil) throws -> [SuppressionEntry] {
        let failed = EmailStatus.failed.code
        return try rows("""
            SELECT s.address, s.kind, round(extract(epoch FROM s.created_at) * 1000)::bigint, s.reason, s.email_id,
                   (SELECT count(*) FROM emails e
                    WHERE e.account_id = s.account_id AND e.to_address = s.address AND e.created_at >= s.created_at
                      AND e.status = \(Int16(failed))
                      AND e.status_detail ->> \(Int32(StoredEventCoding.statusDetailReasonPosition))
                          IN ('suppress-bounce', 'suppress-complaint', 'suppress-unsubscribe')),
                   round(extract(epoch FROM s.requested_at) * 1000)::bigint, (SELECT name FROM users WHERE id = s.requested_by),
                   s.request_note
            FROM account_suppressions s
            WHERE s.account_id = \(accountID) AND s.lifted_at IS NULL AND (\(address)::text IS NULL OR s.address = \(address))
            ORDER BY s.created_at DESC, s.address COLLATE "C"
            """, on: db) { row in
            let requestedAt = try row[6].decode(Int64?.self)
            let requestedBy = try row[7].decode(String?.self), note = try row[8].decode(String?.self)
            return SuppressionEntry(
                address: try row[0].decode(String.self), kind: SuppressionKind(rawValue: try row[1].decode(String.self)) ?? .bounce,
                createdAt: StoredEventCoding.date(milliseconds: try row[2].decode(Int64.self)), reason: try row[3].decode(String.self),
                emailID: try row[4].decode(Int64?.self), blockedEmails: Int(try row[5].decode(Int64.self)),
                removalRequest: requestedAt.map {
                    SuppressionRequest(requestedBy: requestedBy ?? "", requestedAt: StoredEventCoding.date(milliseconds: $0), note: note ?? "")
                })
        }
    }
}
