import GRDB

/// The database layout and its versioned migrations.
///
/// The file is marked as ours with `PRAGMA application_id` and carries its schema version in
/// `PRAGMA user_version` (set by each migration), so a file written by a newer version of
/// the tool is recognised before anything is changed.
enum Schema {
    /// "EmAu": the `application_id` of every email-audit database.
    static let applicationID: Int32 = 0x456D_4175
    /// The newest schema version this code knows.
    static let version = 18
    /// The migrations this code knows, oldest first; a file listing others is newer.
    static let migrationIdentifiers = ["v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17"]

    /// Every migration, none reporting progress.
    static var migrator: DatabaseMigrator { migrator(progress: nil) }

    /// Every migration; the long ones report to `progress`.
    static func migrator(progress: (@Sendable (UpgradeProgress) -> Void)?) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: v1)
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            try recordVersion(1, in: db)
        }
        migrator.registerMigration("v2") { db in
            try db.execute(sql: v2)
            try MonthlyRollups.rebuild(db)
            try db.execute(sql: "INSERT INTO recipients (address, emails) SELECT to_address, count(*) FROM emails GROUP BY to_address")
            try recordVersion(2, in: db)
        }
        migrator.registerMigration("v3") { db in
            try db.execute(sql: v3)
            try db.execute(sql: "INSERT INTO recipients_trigram (address) SELECT address FROM recipients")
            try db.execute(sql: "INSERT INTO emails_subject_trigram (emails_subject_trigram) VALUES ('rebuild')")
            try recordVersion(3, in: db)
        }
        migrator.registerMigration("v4") { db in
            try db.execute(sql: v4)
            try recordVersion(4, in: db)
        }
        migrator.registerMigration("v5") { db in
            try migrateV5(db)
            try recordVersion(5, in: db)
        }
        migrator.registerMigration("v6") { db in
            try migrateV6(db)
            try recordVersion(6, in: db)
        }
        migrator.registerMigration("v7") { db in
            try db.execute(sql: v7)
            try recordVersion(7, in: db)
        }
        migrator.registerMigration("v8") { db in
            try migrateV8(db)
            try recordVersion(8, in: db)
        }
        migrator.registerMigration("v9") { db in
            try db.execute(sql: v9)
            try analyze(db)
            try recordVersion(9, in: db)
        }
        migrator.registerMigration("v10") { db in
            try db.execute(sql: v10)
            try recordVersion(10, in: db)
        }
        migrator.registerMigration("v11") { db in
            try migrateV11(db, progress: progress)
            try recordVersion(12, in: db)
        }
        migrator.registerMigration("v12") { db in
            try migrateV12(db)
            try recordVersion(13, in: db)
        }
        migrator.registerMigration("v13") { db in
            try migrateV13(db, progress: progress)
            try recordVersion(14, in: db)
        }
        migrator.registerMigration("v14") { db in
            try migrateV14(db, progress: progress)
            try recordVersion(15, in: db)
        }
        migrator.registerMigration("v15") { db in
            try migrateV15(db, progress: progress)
            try recordVersion(16, in: db)
        }
        migrator.registerMigration("v16") { db in
            try migrateV16(db, progress: progress)
            try recordVersion(17, in: db)
        }
        migrator.registerMigration("v17") { db in
            try migrateV17(db, progress: progress)
            try recordVersion(18, in: db)
        }
        return migrator
    }

    /// Records in `PRAGMA user_version` that migration `version` ran. The number only grows: a
    /// store that ran a later migration first (made by a build that had it before an earlier one
    /// was added) keeps the newest number once the earlier one runs.
    static func recordVersion(_ version: Int, in db: Database) throws {
        let current = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        try db.execute(sql: "PRAGMA user_version = \(max(current, version))")
    }

    /// Version 1. Times: `emails.*_at` and roll-up inputs are milliseconds since 1970,
    /// `events.occurred_at` microseconds. Statuses are `EmailStatus.code`.
    static let v1 = """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY NOT NULL,
            value
        ) WITHOUT ROWID;

        CREATE TABLE accounts (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL
        );

        CREATE TABLE staff (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            is_external INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX staff_account_name ON staff(account_id, name);
        CREATE UNIQUE INDEX staff_external ON staff(account_id) WHERE is_external = 1;

        CREATE TABLE blocks (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            name TEXT NOT NULL,
            street TEXT NOT NULL,
            town TEXT NOT NULL,
            postcode TEXT NOT NULL
        );
        CREATE INDEX blocks_account ON blocks(account_id);

        CREATE TABLE units (
            id INTEGER PRIMARY KEY,
            block_id INTEGER NOT NULL REFERENCES blocks(id),
            name TEXT NOT NULL
        );
        CREATE INDEX units_block ON units(block_id);

        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            name TEXT NOT NULL,
            email TEXT NOT NULL,
            phone TEXT NOT NULL,
            role TEXT NOT NULL
        );
        CREATE INDEX contacts_email ON contacts(email);

        CREATE TABLE contact_units (
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            PRIMARY KEY (contact_id, unit_id)
        ) WITHOUT ROWID;
        CREATE INDEX contact_units_unit ON contact_units(unit_id);

        CREATE TABLE emails (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            raised_by_id INTEGER NOT NULL REFERENCES staff(id),
            activity TEXT NOT NULL,
            to_address TEXT NOT NULL,
            cc TEXT NOT NULL DEFAULT '[]',
            from_address TEXT NOT NULL,
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            attachments TEXT NOT NULL DEFAULT '[]',
            created_at INTEGER NOT NULL,
            provider_message_id TEXT,
            handed_over_at INTEGER,
            status INTEGER NOT NULL DEFAULT 0,
            status_detail TEXT,
            last_event_at INTEGER
        );
        -- One row per (message, recipient).
        CREATE UNIQUE INDEX emails_message_recipient ON emails(provider_message_id, to_address)
            WHERE provider_message_id IS NOT NULL;
        -- Keyset paging: every index ends in created_at, and SQLite appends the rowid (id).
        CREATE INDEX emails_created ON emails(created_at);
        CREATE INDEX emails_account_created ON emails(account_id, created_at);
        CREATE INDEX emails_raised_created ON emails(raised_by_id, created_at);
        CREATE INDEX emails_status_created ON emails(status, created_at);
        CREATE INDEX emails_to_created ON emails(to_address, created_at);
        CREATE INDEX emails_account_status_created ON emails(account_id, status, created_at);
        CREATE INDEX emails_raised_status_created ON emails(raised_by_id, status, created_at);
        -- The batch feeder's queue.
        CREATE INDEX emails_pending ON emails(created_at) WHERE handed_over_at IS NULL;

        CREATE TABLE email_units (
            email_id INTEGER NOT NULL REFERENCES emails(id) ON DELETE CASCADE,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            PRIMARY KEY (email_id, unit_id)
        ) WITHOUT ROWID;
        CREATE INDEX email_units_unit ON email_units(unit_id);

        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            email_id INTEGER NOT NULL REFERENCES emails(id) ON DELETE CASCADE,
            event_key TEXT NOT NULL,
            provider_event_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            occurred_at INTEGER NOT NULL,
            severity TEXT,
            reason TEXT,
            code INTEGER,
            enhanced_code TEXT,
            message TEXT,
            description TEXT,
            mx_host TEXT,
            attempt_no INTEGER,
            retry_seconds INTEGER,
            reject_reason TEXT,
            url TEXT,
            delayed_bounce INTEGER NOT NULL DEFAULT 0,
            raw_json TEXT NOT NULL
        );
        -- Dedupe on the provider's event identity, and the index that loads an email's events.
        -- (An event's email follows from its message id, recipient and audit id, so the key is
        -- unique per email; keeping it next to email_id keeps ingest writes local, where one
        -- global index of random keys would dirty a page per event at millions of events.)
        CREATE UNIQUE INDEX events_email_key ON events(email_id, event_key);

        -- Counts per local day (CalendarDay.ordinal in meta.time_zone) x status x raised by x account.
        CREATE TABLE rollups (
            account_id INTEGER NOT NULL,
            day INTEGER NOT NULL,
            raised_by_id INTEGER NOT NULL,
            status INTEGER NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (account_id, day, raised_by_id, status)
        ) WITHOUT ROWID;
        CREATE INDEX rollups_day ON rollups(day);

        CREATE TABLE suppressions (
            address TEXT PRIMARY KEY NOT NULL,
            kind TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            reason TEXT NOT NULL,
            email_id INTEGER,
            lifted_at INTEGER,
            lifted_by INTEGER
        ) WITHOUT ROWID;

        INSERT INTO meta (key, value) VALUES ('change_counter', 0), ('email_count', 0), ('event_count', 0);
        """
}

extension Schema {
    /// Version 2: monthly roll-ups, so counts over years sum a few hundred rows, and the
    /// distinct recipient addresses (kept by triggers), so a To prefix becomes a short list of
    /// exact-address index ranges.
    static let v2 = """
        -- Counts per local month (year * 12 + month - 1) x status x raised by x account,
        -- always equal to the sum of the daily roll-ups of that month.
        CREATE TABLE rollups_monthly (
            account_id INTEGER NOT NULL,
            month INTEGER NOT NULL,
            raised_by_id INTEGER NOT NULL,
            status INTEGER NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (account_id, month, raised_by_id, status)
        ) WITHOUT ROWID;

        -- Every address emails were sent to, with how many.
        CREATE TABLE recipients (
            address TEXT PRIMARY KEY NOT NULL,
            emails INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TRIGGER recipients_after_insert AFTER INSERT ON emails BEGIN
            INSERT INTO recipients (address, emails) VALUES (new.to_address, 1)
                ON CONFLICT (address) DO UPDATE SET emails = emails + 1;
        END;
        CREATE TRIGGER recipients_after_delete AFTER DELETE ON emails BEGIN
            UPDATE recipients SET emails = emails - 1 WHERE address = old.to_address;
        END;
        """
}

extension Schema {
    /// Version 3: search. The recipient's domain (the text after the last `@`; the
    /// `rtrim` keeps the address up to its last `@`) as a computed column indexed per account
    /// with `created_at` (To `*@domain` is one keyset range), a trigram index of the recipient
    /// addresses (To `*part*` becomes a short list of exact addresses) and a trigram index of
    /// the subjects (Subject contains), both kept by triggers. Self-contained: it reads only
    /// what v1 and v2 made.
    static let v3 = """
        ALTER TABLE emails ADD COLUMN to_domain TEXT
            GENERATED ALWAYS AS (substr(to_address, length(rtrim(to_address, replace(to_address, '@', ''))) + 1)) VIRTUAL;
        CREATE INDEX emails_account_domain_created ON emails(account_id, to_domain, created_at);

        CREATE VIRTUAL TABLE recipients_trigram USING fts5(address, tokenize = 'trigram');
        CREATE TRIGGER recipients_trigram_after_insert AFTER INSERT ON recipients BEGIN
            INSERT INTO recipients_trigram (address) VALUES (new.address);
        END;

        \(v3SubjectIndex)
        """

    /// Version 3's Subject search index and its triggers (until version 16 replaced them; the
    /// tests that rebuild older layouts make them again from this).
    static let v3SubjectIndex = """
        -- detail = 'none': no positions, so a phrase matches every subject holding all its
        -- trigrams (a superset); the queries check LIKE on what it returns. Half the work per
        -- email recorded of a full index.
        CREATE VIRTUAL TABLE emails_subject_trigram USING fts5(subject, content = 'emails', content_rowid = 'id',
                                                               tokenize = 'trigram', detail = 'none');
        CREATE TRIGGER emails_subject_after_insert AFTER INSERT ON emails BEGIN
            INSERT INTO emails_subject_trigram (rowid, subject) VALUES (new.id, new.subject);
        END;
        CREATE TRIGGER emails_subject_after_delete AFTER DELETE ON emails BEGIN
            INSERT INTO emails_subject_trigram (emails_subject_trigram, rowid, subject) VALUES ('delete', old.id, old.subject);
        END;
        CREATE TRIGGER emails_subject_after_update AFTER UPDATE OF subject ON emails BEGIN
            INSERT INTO emails_subject_trigram (emails_subject_trigram, rowid, subject) VALUES ('delete', old.id, old.subject);
            INSERT INTO emails_subject_trigram (rowid, subject) VALUES (new.id, new.subject);
        END;
        """
}

/// Keys of the `meta` table.
enum MetaKey {
    static let timeZone = "time_zone"
    static let changeCounter = "change_counter"
    static let emailCount = "email_count"
    static let eventCount = "event_count"
    /// When the batch feeder's last hand-over run was answered by the provider (milliseconds).
    static let handOverLastSuccess = "handover_last_success"
    /// When the batch feeder's last hand-over run found the provider down (milliseconds).
    static let handOverLastFailure = "handover_last_failure"
}
