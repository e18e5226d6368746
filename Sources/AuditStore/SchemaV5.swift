import AuditCore
import GRDB

extension Schema {
    /// Version 5: who signs in, and a suppression list per account with its trail.
    ///
    /// `users` holds staff of one account (`account_id` set) and the support team (`account_id`
    /// NULL); `staff_id` links a user to the staff record emails they raise carry. The provider's
    /// suppression list is kept per account (`account_suppressions`, keyed by account and
    /// address), and `suppression_history` records who added, requested and removed what, when
    /// and why. The rows of the old single `suppressions` table move to the account of the email
    /// that put them there.
    static let v5 = """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            login TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL,
            account_id INTEGER REFERENCES accounts(id),
            staff_id INTEGER REFERENCES staff(id)
        );
        CREATE INDEX users_account ON users(account_id, name);

        CREATE TABLE account_suppressions (
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            address TEXT NOT NULL,
            kind TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            reason TEXT NOT NULL,
            email_id INTEGER,
            lifted_at INTEGER,
            lifted_by INTEGER,
            lift_reason TEXT,
            requested_at INTEGER,
            requested_by INTEGER,
            request_note TEXT,
            PRIMARY KEY (account_id, address)
        ) WITHOUT ROWID;

        CREATE TABLE suppression_history (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            address TEXT NOT NULL,
            at INTEGER NOT NULL,
            action TEXT NOT NULL,
            user_id INTEGER,
            user_name TEXT NOT NULL,
            note TEXT NOT NULL
        );
        CREATE INDEX suppression_history_entry ON suppression_history(account_id, address, at);
        """

    /// Creates the version 5 tables, a user for every staff member (support staff join the
    /// support team), and moves the old suppression rows to their accounts.
    static func migrateV5(_ db: Database) throws {
        try db.execute(sql: v5)
        let staff = try Row.fetchAll(db, sql: "SELECT id, account_id, name, role FROM staff WHERE is_external = 0 ORDER BY id")
        for row in staff {
            let role = StaffRole(rawValue: row[3]) ?? .staff
            _ = try UserWriter.insert(db, name: row[2], role: role, accountID: role == .support ? nil : row[1] as Int64, staffID: row[0])
        }
        try db.execute(sql: """
            INSERT INTO account_suppressions (account_id, address, kind, created_at, reason, email_id, lifted_at, lifted_by)
            SELECT coalesce(e.account_id, (SELECT min(id) FROM accounts)), s.address, s.kind, s.created_at, s.reason,
                   s.email_id, s.lifted_at, (SELECT u.id FROM users u WHERE u.staff_id = s.lifted_by)
            FROM suppressions s LEFT JOIN emails e ON e.id = s.email_id
            WHERE coalesce(e.account_id, (SELECT min(id) FROM accounts)) IS NOT NULL
            """)
        try db.execute(sql: """
            INSERT INTO suppression_history (account_id, address, at, action, user_id, user_name, note)
            SELECT account_id, address, created_at, 'added', NULL, '\(SuppressionWriter.providerName)', reason FROM account_suppressions
            """)
        try db.execute(sql: """
            INSERT INTO suppression_history (account_id, address, at, action, user_id, user_name, note)
            SELECT a.account_id, a.address, a.lifted_at, 'removed', a.lifted_by,
                   coalesce((SELECT name FROM users WHERE id = a.lifted_by), 'Support'), 'Lifted before the suppression trail was kept'
            FROM account_suppressions a WHERE a.lifted_at IS NOT NULL
            """)
        try db.execute(sql: "DROP TABLE suppressions")
    }
}
