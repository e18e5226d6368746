import AuditCore
import Foundation
import GRDB

/// Adds suppression entries during an ingest.
enum SuppressionWriter {
    /// The name the trail gives the provider when it adds an entry.
    static let providerName = "Provider"

    /// Puts `address` on the suppression list of the account of email `emailID` because of
    /// `event`, unless it is already there.
    ///
    /// An entry removed by support is only re-added by an event that happened after the removal.
    /// When several events suppress the same address, the earliest one is kept, so the
    /// result does not depend on the order events arrive in. Returns the entry when the
    /// address was not suppressed before.
    static func add(_ db: Database, address: String, kind: SuppressionKind, event: ProviderEvent,
                    emailID: Int64) throws -> SuppressionEntry? {
        guard !address.isEmpty,
              let accountID = try Int64.fetchOne(db.cachedStatement(sql: "SELECT account_id FROM emails WHERE id = ?"), arguments: [emailID])
        else { return nil }
        let at = StorageEncoding.milliseconds(event.occurredAt)
        let existing = try Row.fetchOne(db.cachedStatement(sql: "SELECT lifted_at FROM account_suppressions WHERE account_id = ? AND address = ?"),
                                        arguments: [accountID, address])
        let wasActive = existing != nil && (existing![0] as Int64?) == nil
        let reason = reasonText(kind: kind, event: event)
        try db.cachedStatement(sql: """
            INSERT INTO account_suppressions (account_id, address, kind, created_at, reason, email_id) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (account_id, address) DO UPDATE SET
                kind = excluded.kind, created_at = excluded.created_at, reason = excluded.reason,
                email_id = excluded.email_id, lifted_at = NULL, lifted_by = NULL, lift_reason = NULL,
                requested_at = NULL, requested_by = NULL, request_note = NULL
            WHERE (account_suppressions.lifted_at IS NOT NULL AND excluded.created_at > account_suppressions.lifted_at)
               OR (account_suppressions.lifted_at IS NULL AND excluded.created_at < account_suppressions.created_at)
            """).execute(arguments: [accountID, address, kind.rawValue, at, reason, emailID])
        guard db.changesCount > 0, !wasActive else { return nil }
        try history(db, accountID: accountID, address: address, at: at, action: .added, userID: nil, userName: providerName, note: reason)
        return SuppressionEntry(address: address, kind: kind, createdAt: StorageEncoding.date(milliseconds: at), reason: reason,
                                emailID: emailID)
    }

    /// Appends a line to an entry's trail.
    static func history(_ db: Database, accountID: Int64, address: String, at: Int64, action: SuppressionAction,
                        userID: Int64?, userName: String, note: String) throws {
        try db.cachedStatement(sql: """
            INSERT INTO suppression_history (account_id, address, at, action, user_id, user_name, note) VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [accountID, address, at, action.rawValue, userID, userName, note])
    }

    /// The provider's words for why the address is suppressed.
    static func reasonText(kind: SuppressionKind, event: ProviderEvent) -> String {
        let d = event.delivery
        let summary = StatusDetail(status: .failed, severity: event.severity, reason: event.reason, code: d?.code,
                                   enhancedCode: d?.enhancedCode, message: d?.message, description: d?.description).summary
        if !summary.isEmpty { return summary }
        switch kind {
        case .bounce: return "Hard bounce"
        case .complaint: return "The recipient marked an email as spam"
        case .unsubscribe: return "The recipient unsubscribed"
        }
    }
}

/// The suppression lists: per account, the addresses the provider will not send to, with
/// the trail of who asked for and who made each removal.
extension AuditDatabase {
    static let suppressionColumns = """
        s.address, s.kind, s.created_at, s.reason, s.email_id,
        (SELECT count(*) FROM emails e INDEXED BY emails_to_created
          WHERE e.to_address = s.address AND e.account_id = s.account_id AND e.created_at >= s.created_at
            AND e.status = \(EmailStatus.failed.code)
            AND json_extract(e.status_detail, '$[\(StorageEncoding.StatusDetailPosition.reason)]') IN ('suppress-bounce', 'suppress-complaint', 'suppress-unsubscribe')),
        s.requested_at, (SELECT name FROM users WHERE id = s.requested_by), s.request_note
        """

    /// Every address currently suppressed in `accountID`, newest first.
    package func suppressions(accountID: Int64) throws -> [SuppressionEntry] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.suppressionColumns) FROM account_suppressions s WHERE s.account_id = ? AND s.lifted_at IS NULL
                ORDER BY s.created_at DESC, s.address
                """, arguments: [accountID]).map(Self.suppressionEntry(from:))
        }
    }

    /// The active suppression of `address` (case-insensitive) in `accountID`, if any.
    package func suppression(for address: String, accountID: Int64) throws -> SuppressionEntry? {
        let key = StorageEncoding.normalisedAddress(address)
        return try read { db in
            try Row.fetchOne(db, sql: """
                SELECT \(Self.suppressionColumns) FROM account_suppressions s
                WHERE s.account_id = ? AND s.address = ? AND s.lifted_at IS NULL
                """, arguments: [accountID, key]).map(Self.suppressionEntry(from:))
        }
    }

    /// The trail of `address` in `accountID`, oldest first.
    package func suppressionHistory(address: String, accountID: Int64) throws -> [SuppressionHistoryItem] {
        let key = StorageEncoding.normalisedAddress(address)
        return try read { db in
            try Row.fetchAll(db, sql: """
                SELECT at, action, user_name, note FROM suppression_history WHERE account_id = ? AND address = ? ORDER BY at, id
                """, arguments: [accountID, key]).map { row in
                SuppressionHistoryItem(at: StorageEncoding.date(milliseconds: row[0]),
                                       action: SuppressionAction(rawValue: row[1]) ?? .added, by: row[2], note: row[3])
            }
        }
    }

    /// Records `userID`'s request that support remove the suppression of `address` in `accountID`.
    ///
    /// - Throws: ``StoreError/accountNotPermitted(user:accountID:)`` for a staff user of another
    ///   account, ``StoreError/notSuppressed(address:)`` when the address is not suppressed.
    public func requestSuppressionRemoval(address: String, accountID: Int64, userID: Int64, note: String, at: Date) throws {
        try StoredValueCheck.requireText(note, "the note")
        try changeSuppression(.requested, address: address, accountID: accountID, userID: userID, text: note, at: at,
                              set: "requested_at = ?, requested_by = ?, request_note = ?")
    }

    /// Removes the suppression of `address` in `accountID`. Only the support team may.
    ///
    /// - Throws: ``StoreError/needsSupportRole(user:action:)`` for a staff user (nothing
    ///   changes), ``StoreError/notSuppressed(address:)`` when the address is not suppressed.
    public func removeSuppression(address: String, accountID: Int64, userID: Int64, reason: String, at: Date) throws {
        try StoredValueCheck.requireText(reason, "the reason")
        try changeSuppression(.removed, address: address, accountID: accountID, userID: userID, text: reason, at: at,
                              set: "lifted_at = ?, lifted_by = ?, lift_reason = ?")
    }

    /// Sets (time, user, text) in the active entry's `set` columns and appends `action` to its
    /// trail, in one transaction, after checking the user may act on the account (and, for a
    /// removal, is support).
    private func changeSuppression(_ action: SuppressionAction, address: String, accountID: Int64, userID: Int64,
                                   text: String, at: Date, set: String) throws {
        let key = StorageEncoding.normalisedAddress(address)
        try write { db in
            let user = try Self.requireAccess(db, userID: userID, accountID: accountID)
            if action == .removed, !user.isSupport {
                throw StoreError.needsSupportRole(user: user.name, action: "remove a suppression")
            }
            let ms = StorageEncoding.milliseconds(at)
            try db.execute(sql: "UPDATE account_suppressions SET \(set) WHERE account_id = ? AND address = ? AND lifted_at IS NULL",
                           arguments: [ms, userID, text, accountID, key])
            guard db.changesCount > 0 else { throw StoreError.notSuppressed(address: key) }
            try SuppressionWriter.history(db, accountID: accountID, address: key, at: ms, action: action,
                                          userID: userID, userName: user.name, note: text)
            try bumpChangeCounter(db)
        }
    }

    /// The user, after checking they may act on `accountID`.
    static func requireAccess(_ db: Database, userID: Int64, accountID: Int64) throws -> AppUser {
        let user = try UserWriter.user(db, id: userID)
        try requireAccount(db, accountID)
        guard user.isSupport || user.accountID == accountID else {
            throw StoreError.accountNotPermitted(user: user.name, accountID: accountID)
        }
        return user
    }

    static func suppressionEntry(from row: Row) -> SuppressionEntry {
        let requestedAt: Int64? = row[6]
        return SuppressionEntry(
            address: row[0], kind: SuppressionKind(rawValue: row[1]) ?? .bounce,
            createdAt: StorageEncoding.date(milliseconds: row[2]), reason: row[3], emailID: row[4], blockedEmails: row[5],
            removalRequest: requestedAt.map { SuppressionRequest(requestedBy: row[7] ?? "", requestedAt: StorageEncoding.date(milliseconds: $0),
                                                                 note: row[8] ?? "") })
    }
}
