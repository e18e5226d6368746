import AuditCore
import AuditStore
import Foundation
import PostgresNIO

/// Resends (``ResendStore``) on PostgreSQL, as the SQLite store's `resend`: the new Pending
/// email, the link both ways (`email_resends`) and the contact changes in one transaction.
extension PostgresAuditStore: ResendStore {
    /// Records a resend (see ``ResendStore``). A resend at a time of a month with no partition
    /// yet is rolled back, the month is created, and it is recorded again, once.
    public func resend(emailID: Int64, accountID: Int64, user: AppUser, to typed: String?, updateContacts: Bool,
                       at time: Date) throws -> ResendOutcome {
        guard user.isSupport || user.accountID == accountID else {
            throw PostgresStoreError.accountNotPermitted(user: user.name, accountID: accountID)
        }
        try PostgresValueCheck.requireTime(time, "the resend time")
        do {
            return try connection.transaction { db in
                try resendInTransaction(db, emailID: emailID, accountID: accountID, user: user, to: typed,
                                        updateContacts: updateContacts, at: time)
            }
        } catch let error as PostgresStoreError where Self.isMissingPartition(error) {
            try createMonths(of: [time])
            return try connection.transaction { db in
                try resendInTransaction(db, emailID: emailID, accountID: accountID, user: user, to: typed,
                                        updateContacts: updateContacts, at: time)
            }
        }
    }

    /// The original email as a resend copies it.
    private struct Original {
        var activity: Activity
        var to: String
        var cc: [String]
        var from: String
        var subject: String
        var body: String
        var attachments: [String]
        var createdAtMilliseconds: Int64
    }

    private func resendInTransaction(_ db: BlockingPostgresConnection, emailID: Int64, accountID: Int64, user: AppUser,
                                     to typed: String?, updateContacts: Bool, at time: Date) throws -> ResendOutcome {
        // The original's row is locked (shared) so it cannot leave while the link to it is written.
        guard let original = try rows("""
            SELECT e.activity, e.to_address, e.cc::text, coalesce(se.address, ''), e.subject, e.body, e.attachments::text,
                   round(extract(epoch FROM e.created_at) * 1000)::bigint
            FROM emails e LEFT JOIN senders se ON se.account_id = e.account_id AND se.id = e.sender_id
            WHERE e.account_id = \(accountID) AND e.id = \(emailID)
              AND e.created_at = (SELECT created_at FROM email_keys WHERE account_id = \(accountID) AND id = \(emailID))
            FOR SHARE OF e
            """, on: db, { row in
            Original(activity: Activity(rawValue: try row[0].decode(String.self)) ?? .external, to: try row[1].decode(String.self),
                     cc: Self.stringArray(try row[2].decode(String.self)), from: try row[3].decode(String.self),
                     subject: try row[4].decode(String.self), body: try row[5].decode(String.self),
                     attachments: Self.stringArray(try row[6].decode(String.self)), createdAtMilliseconds: try row[7].decode(Int64.self))
        }).first else { throw ResendRefusal.notFound(emailID: emailID) }
        guard original.activity != .external else { throw ResendRefusal.notRecordedHere(emailID: emailID) }
        var to = original.to
        if let typed {
            guard let address = EmailAddress.typed(typed) else { throw ResendRefusal.invalidAddress(typed) }
            to = address
        }
        if updateContacts, to == original.to { throw ResendRefusal.contactsNeedNewAddress }
        if !StoredText.containsNUL(to), let entry = try suppressions(accountID: accountID, address: to, on: db).first {
            throw ResendRefusal.suppressed(entry)
        }
        let units = try rows("""
            SELECT unit_id FROM email_units WHERE account_id = \(accountID) AND email_id = \(emailID) ORDER BY unit_id
            """, on: db) { try $0[0].decode(Int64.self) }
        let email = NewEmail(accountID: accountID, raisedByID: try staffID(for: user, accountID: accountID, on: db),
                             activity: original.activity, to: to, cc: original.cc, from: original.from, subject: original.subject,
                             textBody: original.body, attachmentNames: original.attachments, createdAt: time, unitIDs: units)
        try PostgresValueCheck.check(email)
        let newID = try insert([email], on: db)[0]
        let milliseconds = StoredEventCoding.milliseconds(time)
        var changed = 0
        if updateContacts {
            let contacts = try rows("""
                SELECT id FROM contacts WHERE account_id = \(accountID) AND email = \(original.to) ORDER BY id FOR UPDATE
                """, on: db) { try $0[0].decode(Int64.self) }
            for contact in contacts {
                try db.execute("UPDATE contacts SET email = \(to) WHERE account_id = \(accountID) AND id = \(contact)")
                try db.execute("""
                    INSERT INTO contact_changes (account_id, contact_id, at, old_email, new_email, user_id, user_name,
                                                 resend_id, resend_created_at)
                    VALUES (\(accountID), \(contact), timestamptz 'epoch' + \(milliseconds) * interval '1 millisecond',
                            \(original.to), \(to), \(user.id), \(user.name),
                            \(newID), timestamptz 'epoch' + \(milliseconds) * interval '1 millisecond')
                    """)
            }
            changed = contacts.count
        }
        try db.execute("""
            INSERT INTO email_resends (account_id, resend_id, resend_created_at, original_id, original_created_at, at,
                                       user_id, user_name, original_to, to_address, contacts_updated)
            VALUES (\(accountID), \(newID), timestamptz 'epoch' + \(milliseconds) * interval '1 millisecond',
                    \(emailID), timestamptz 'epoch' + \(original.createdAtMilliseconds) * interval '1 millisecond',
                    timestamptz 'epoch' + \(milliseconds) * interval '1 millisecond',
                    \(user.id), \(user.name), \(original.to), \(to), \(Int32(changed)))
            """)
        return ResendOutcome(newEmailID: newID, originalID: emailID, to: to, originalTo: original.to, contactsUpdated: changed)
    }

    /// The staff record a user's emails in `accountID` carry, as the SQLite store's
    /// `staffID(for:accountID:)`: their own when it is the account's; for a support user working
    /// in another account, the support staff record of that name there, made on first use.
    func staffID(for user: AppUser, accountID: Int64, on db: BlockingPostgresConnection) throws -> Int64 {
        if let own = user.staffID, try int64("SELECT account_id FROM staff WHERE id = \(own)", on: db) == accountID {
            return own
        }
        guard user.isSupport else { throw PostgresStoreError.accountNotPermitted(user: user.name, accountID: accountID) }
        let role = StaffRole.support.rawValue
        if let found = try int64("""
            SELECT id FROM staff WHERE account_id = \(accountID) AND name = \(user.name) AND role = \(role)
              AND NOT is_external AND NOT is_system
            ORDER BY id LIMIT 1
            """, on: db) {
            return found
        }
        return try int64("INSERT INTO staff (account_id, name, role) VALUES (\(accountID), \(user.name), \(role)) RETURNING id", on: db)!
    }
}
