import AuditCore
import Foundation
import GRDB

/// Resending an email as a new one, the links between the two, and the contact records a
/// corrected address updates.
extension AuditDatabase {
    /// Records a resend of `emailID` by `user` in `accountID`, in one transaction: a new
    /// Pending email with the same content, attachments and linked units, raised by the user,
    /// to `to` (the original's To when nil); the link both ways; and, with `updateContacts`,
    /// the account's contact records that used the original address moved to the new one,
    /// each change recorded.
    ///
    /// - Throws: ``ResendRefusal`` (another account's email is ``ResendRefusal/notFound(emailID:)``,
    ///   an address on the account's suppression list ``ResendRefusal/suppressed(_:)`` with the
    ///   entry); ``StoreError/accountNotPermitted(user:accountID:)`` for a staff user of another
    ///   account. Nothing is recorded then.
    public func resend(emailID: Int64, accountID: Int64, user: AppUser, to typed: String?, updateContacts: Bool,
                       at time: Date) throws -> ResendOutcome {
        guard user.isSupport || user.accountID == accountID else {
            throw StoreError.accountNotPermitted(user: user.name, accountID: accountID)
        }
        try StoredValueCheck.requireTime(time, "the resend time")
        // A refusal is thrown as itself, not as a store failure (the transaction is rolled back).
        var refusal: ResendRefusal?
        do {
            return try write { db in
                do {
                    return try resendInTransaction(db, emailID: emailID, accountID: accountID, user: user, to: typed,
                                                   updateContacts: updateContacts, at: time)
                } catch let refused as ResendRefusal {
                    refusal = refused
                    throw refused
                }
            }
        } catch {
            if let refusal { throw refusal }
            throw error
        }
    }

    private func resendInTransaction(_ db: Database, emailID: Int64, accountID: Int64, user: AppUser, to typed: String?,
                                     updateContacts: Bool, at time: Date) throws -> ResendOutcome {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT activity, to_address, cc, \(Senders.address(of: "emails")), subject, body, attachments FROM emails WHERE id = ? AND account_id = ?
            """, arguments: [emailID, accountID]) else { throw ResendRefusal.notFound(emailID: emailID) }
        let activity = Activity(rawValue: row[0]) ?? .external
        guard activity != .external else { throw ResendRefusal.notRecordedHere(emailID: emailID) }
        let originalTo: String = row[1]
        var to = originalTo
        if let typed {
            guard let address = EmailAddress.typed(typed) else { throw ResendRefusal.invalidAddress(typed) }
            to = address
        }
        if updateContacts, to == originalTo { throw ResendRefusal.contactsNeedNewAddress }
        if let entry = try Row.fetchOne(db, sql: """
            SELECT \(Self.suppressionColumns) FROM account_suppressions s
            WHERE s.account_id = ? AND s.address = ? AND s.lifted_at IS NULL
            """, arguments: [accountID, to]).map(Self.suppressionEntry(from:)) {
            throw ResendRefusal.suppressed(entry)
        }
        let units = try Int64.fetchAll(db, sql: "SELECT unit_id FROM email_units WHERE email_id = ?", arguments: [emailID])
        let email = NewEmail(accountID: accountID, raisedByID: try Self.staffID(db, for: user, accountID: accountID),
                             activity: activity, to: to, cc: StorageEncoding.decodeStringArray(row[2]), from: row[3],
                             subject: row[4], textBody: try readingCompactText { try StoredBody.text(row[5]) }, attachmentNames: StorageEncoding.decodeStringArray(row[6]),
                             createdAt: time, unitIDs: units)
        try StoredValueCheck.check(email)
        let newID = try recordEmails(db, [email])[0]
        let milliseconds = StorageEncoding.milliseconds(time)
        var changed = 0
        if updateContacts {
            let contacts = try Int64.fetchAll(db, sql: "SELECT id FROM contacts WHERE account_id = ? AND email = ? ORDER BY id",
                                              arguments: [accountID, originalTo])
            for contact in contacts {
                try db.execute(sql: "UPDATE contacts SET email = ? WHERE id = ? AND account_id = ?", arguments: [to, contact, accountID])
                try db.execute(sql: """
                    INSERT INTO contact_changes (account_id, contact_id, at, old_email, new_email, user_id, user_name, resend_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [accountID, contact, milliseconds, originalTo, to, user.id, user.name, newID])
            }
            changed = contacts.count
        }
        try db.execute(sql: """
            INSERT INTO email_resends (resend_id, account_id, original_id, at, user_id, user_name, original_to, to_address, contacts_updated)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [newID, accountID, emailID, milliseconds, user.id, user.name, originalTo, to, changed])
        return ResendOutcome(newEmailID: newID, originalID: emailID, to: to, originalTo: originalTo, contactsUpdated: changed)
    }

    /// The resend links of those of `emailIDs` that have any, in `accountID` only.
    package func resendLinks(emailIDs: [Int64], accountID: Int64) throws -> [Int64: ResendLinks] {
        guard !emailIDs.isEmpty else { return [:] }
        return try read { db in
            var links: [Int64: ResendLinks] = [:]
            for start in stride(from: 0, to: emailIDs.count, by: 500) {
                let chunk = Array(emailIDs[start..<min(start + 500, emailIDs.count)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                let arguments = StatementArguments([accountID] + chunk)
                for row in try Row.fetchAll(db, sql: """
                    SELECT resend_id, original_id, original_to, to_address, contacts_updated FROM email_resends
                    WHERE account_id = ? AND resend_id IN (\(marks))
                    """, arguments: arguments) {
                    let id: Int64 = row[0], originalTo: String = row[2], to: String = row[3]
                    links[id, default: ResendLinks()].resendOf = row[1]
                    links[id, default: ResendLinks()].correctedFrom = originalTo == to ? nil : originalTo
                    links[id, default: ResendLinks()].contactsUpdated = row[4]
                }
                for row in try Row.fetchAll(db, sql: """
                    SELECT original_id, resend_id FROM email_resends
                    WHERE account_id = ? AND original_id IN (\(marks)) ORDER BY resend_id
                    """, arguments: arguments) {
                    links[row[0], default: ResendLinks()].resentAs.append(row[1])
                }
            }
            return links
        }
    }

    /// The staff record a user's emails in `accountID` carry: their own when it is the
    /// account's; for a support user working in another account, the support staff record of
    /// that name there, made on first use.
    static func staffID(_ db: Database, for user: AppUser, accountID: Int64) throws -> Int64 {
        if let own = user.staffID,
           try Int64.fetchOne(db, sql: "SELECT account_id FROM staff WHERE id = ?", arguments: [own]) == accountID {
            return own
        }
        guard user.isSupport else { throw StoreError.accountNotPermitted(user: user.name, accountID: accountID) }
        if let found = try Int64.fetchOne(db, sql: """
            SELECT id FROM staff WHERE account_id = ? AND name = ? AND role = ? AND is_external = 0 ORDER BY id LIMIT 1
            """, arguments: [accountID, user.name, StaffRole.support.rawValue]) {
            return found
        }
        try db.execute(sql: "INSERT INTO staff (account_id, name, role) VALUES (?, ?, ?)",
                       arguments: [accountID, user.name, StaffRole.support.rawValue])
        return db.lastInsertedRowID
    }
}
