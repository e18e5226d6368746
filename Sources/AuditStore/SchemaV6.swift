import AuditCore
import GRDB

extension Schema {
    /// Version 6: notifications. Self-contained: it reads only what v1 and v5 made.
    ///
    /// `notifications` holds one row per (account, email, status, user), the unique key that
    /// makes a notification once per email and status whatever the order and duplication of
    /// events; `raised_at` is the time of the provider's deciding event (milliseconds), so a
    /// re-run of an interrupted ingest writes the same rows. `notification_preferences` holds
    /// the settings a user changed (no row: ``NotificationPreferences/standard``);
    /// `notification_digests` one row per (account, user, local day) whose digest was sent, so
    /// sending digests again sends nothing twice. `users.email` is where notification emails go.
    static let v6 = """
        ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';

        CREATE TABLE notification_preferences (
            user_id INTEGER PRIMARY KEY,
            statuses TEXT NOT NULL,
            scope TEXT NOT NULL,
            delivery TEXT NOT NULL,
            digest_hour INTEGER NOT NULL
        );

        CREATE TABLE notifications (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            email_id INTEGER NOT NULL,
            status INTEGER NOT NULL,
            raised_at INTEGER NOT NULL,
            read_at INTEGER,
            delivery TEXT NOT NULL,
            notice_email_id INTEGER,
            digest_day INTEGER
        );
        CREATE UNIQUE INDEX notifications_once ON notifications(account_id, email_id, status, user_id);
        CREATE INDEX notifications_user ON notifications(account_id, user_id, raised_at);
        CREATE INDEX notifications_digest ON notifications(account_id, user_id) WHERE delivery = 'digest' AND digest_day IS NULL;

        CREATE TABLE notification_digests (
            account_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            day INTEGER NOT NULL,
            email_id INTEGER NOT NULL,
            notifications INTEGER NOT NULL,
            sent_at INTEGER NOT NULL,
            PRIMARY KEY (account_id, user_id, day)
        ) WITHOUT ROWID;
        """

    /// Creates the version 6 tables and gives each staff user an address on their account's
    /// sending domain (from the account's emails), so notification emails have somewhere to go.
    static func migrateV6(_ db: Database) throws {
        try db.execute(sql: v6)
        let accounts = try Int64.fetchAll(db, sql: "SELECT id FROM accounts ORDER BY id")
        for account in accounts {
            guard let from = try String.fetchOne(db, sql: """
                SELECT from_address FROM emails WHERE account_id = ? AND activity <> 'external' ORDER BY id LIMIT 1
                """, arguments: [account]) else { continue }
            let domain = NotificationAddress.staffDomain(fromHeader: from)
            guard !domain.isEmpty else { continue }
            try db.execute(sql: "UPDATE users SET email = login || '@' || ? WHERE account_id = ? AND email = ''",
                           arguments: [domain, account])
        }
    }
}

/// Where staff get notification emails.
package enum NotificationAddress {
    /// The domain staff addresses are on, from a From header of the account's emails:
    /// "Harbour Lets <accounts@mg.harbourlets.co.uk>" → "harbourlets.co.uk" (a leading "mg." is
    /// the sending subdomain, not a mailbox domain).
    static func staffDomain(fromHeader: String) -> String {
        let bare = EmailAddress.bare(fromHeader)
        guard let at = bare.lastIndex(of: "@") else { return "" }
        let domain = String(bare[bare.index(after: at)...]).lowercased()
        return domain.hasPrefix("mg.") ? String(domain.dropFirst(3)) : domain
    }

    /// The sending domain of a From header ("mg.harbourlets.co.uk").
    package static func sendingDomain(fromHeader: String) -> String {
        let bare = EmailAddress.bare(fromHeader)
        guard let at = bare.lastIndex(of: "@") else { return "" }
        return String(bare[bare.index(after: at)...]).lowercased()
    }
}
