import GRDB

extension Schema {
    /// Version 16: the Subject search index holds each email's raiser and domain keys
    /// (``SubjectSearchKeys``) after its subject, so that a Subject search beside one raiser or a
    /// `*@domain` matches the text's trigrams and the key together and reads only the rows of
    /// emails that have both (``SubjectRangeWalk``).
    ///
    /// Why: a text whose every trigram is common in other subjects left such a page to read
    /// thousands of candidates' rows, or a raiser's whole index range, to find a few dozen
    /// matches: "t Byrne Plac" beside one of 30 staff members at 5,000,000 emails has 3,727
    /// candidates for 974 matches, 31 of them that raiser's, and took ~70 ms walking the
    /// raiser's 167,057 entries; with the raiser's key the index returns 138 candidates (~7 ms).
    /// The PostgreSQL store's search index has held the same two keys since its version 11.
    ///
    /// The index keeps its name and its `subject` column; its external content becomes the view
    /// `emails_subject_text`, which gives each email's indexed text, so that FTS5's `rebuild`
    /// and `integrity-check` read what the triggers wrote. Neither key changes after an email is
    /// recorded (its raiser and address are fixed; a resend is a new email), so an email's entry
    /// is rewritten when its subject changes (an External email given its subject by its first
    /// event), or should either ever change. Filled in id order, in batches, with `progress`
    /// after each, then merged into one segment (FTS5's `optimize`, its own progress step).
    static func migrateV16(_ db: Database, progress: (@Sendable (UpgradeProgress) -> Void)?) throws {
        let step = "Adding raisers and domains to the Subject search index"
        let emails = try Int.fetchOne(db, sql: "SELECT count(*) FROM emails") ?? 0
        progress?(UpgradeProgress(step: step, done: 0, total: emails))
        try db.execute(sql: v16)
        // Each batch's rows are materialised first, so that each email's `to_domain` (a generated
        // column) is computed once, not once for each of the thirteen places its key reads it
        // (which made the view's text cost ~20 µs an email against ~5 µs).
        let fill = try db.makeStatement(sql: """
            WITH e AS MATERIALIZED (SELECT id, subject, raised_by_id, to_domain FROM emails WHERE id > ? ORDER BY id LIMIT \(v16Batch))
            INSERT INTO emails_subject_trigram (rowid, subject) SELECT e.id, \(SubjectSearchKeys.indexedText("e")) FROM e
            """)
        let last = try db.makeStatement(sql: "SELECT max(id) FROM (SELECT id FROM emails WHERE id > ? ORDER BY id LIMIT \(v16Batch))")
        var after: Int64 = 0, done = 0
        while let next = try Int64.fetchOne(last, arguments: [after]) {
            try fill.execute(arguments: [after])
            done += db.changesCount
            after = next
            progress?(UpgradeProgress(step: step, done: min(done, emails), total: emails))
        }
        if emails == 0 { progress?(UpgradeProgress(step: step, done: 0, total: 0)) }
        // One segment: the batches leave the index in several, and a match reads every segment's
        // list of each trigram. At 1,000,000 emails FTS5's `optimize` took 2.4 s on the bench's
        // store and lowered Subject + status p99 from 10.5–15.1 to 6.3–8.1 ms (docs/performance.md).
        let merge = "Merging the Subject search index"
        progress?(UpgradeProgress(step: merge, done: 0, total: 1))
        try db.execute(sql: "INSERT INTO emails_subject_trigram (emails_subject_trigram) VALUES ('optimize')")
        progress?(UpgradeProgress(step: merge, done: 1, total: 1))
    }

    /// Emails indexed per statement of the upgrade (one progress report each).
    static let v16Batch = 100_000

    /// The view of the indexed text, the index on it and its triggers
    /// (``migrateV16(_:progress:)``).
    static let v16 = """
        DROP TRIGGER emails_subject_after_insert;
        DROP TRIGGER emails_subject_after_delete;
        DROP TRIGGER emails_subject_after_update;
        DROP TABLE emails_subject_trigram;
        CREATE VIEW emails_subject_text (id, subject) AS
            SELECT e.id, \(SubjectSearchKeys.indexedText("e")) FROM emails e;
        CREATE VIRTUAL TABLE emails_subject_trigram USING fts5(subject, content = 'emails_subject_text', content_rowid = 'id',
                                                               tokenize = 'trigram', detail = 'none');
        CREATE TRIGGER emails_subject_after_insert AFTER INSERT ON emails BEGIN
            INSERT INTO emails_subject_trigram (rowid, subject) VALUES (new.id, \(SubjectSearchKeys.indexedText("new")));
        END;
        CREATE TRIGGER emails_subject_after_delete AFTER DELETE ON emails BEGIN
            INSERT INTO emails_subject_trigram (emails_subject_trigram, rowid, subject)
                VALUES ('delete', old.id, \(SubjectSearchKeys.indexedText("old")));
        END;
        CREATE TRIGGER emails_subject_after_update AFTER UPDATE OF subject, raised_by_id, to_address ON emails BEGIN
            INSERT INTO emails_subject_trigram (emails_subject_trigram, rowid, subject)
                VALUES ('delete', old.id, \(SubjectSearchKeys.indexedText("old")));
            INSERT INTO emails_subject_trigram (rowid, subject) VALUES (new.id, \(SubjectSearchKeys.indexedText("new")));
        END;
        """
}
