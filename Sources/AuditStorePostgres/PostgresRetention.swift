import AuditCore
import AuditStore
import Foundation
import PostgresNIO

/// Retention on PostgreSQL (``RetentionStore``): the months of `emails` and `events` wholly before
/// the cut are detached and dropped, one transaction each; the emails of the cut's own month that
/// are older than the cut are deleted in batches. Both leave what the SQLite store leaves:
///
/// - events, `email_units`, `email_host_ids`, `hand_over_claims`, notifications about the emails,
///   digests whose email went, resend links from or to them: deleted; `contact_changes` keep
///   their row with the resend cleared;
/// - `rollups`, `rollups_monthly`, `rollups_yearly`: each deleted email's cell decremented in the
///   same transaction, cells left at 0 deleted; `recipients` counts lowered, addresses left at 0
///   deleted;
/// - webhook tokens received before the cut: forgotten.
///
/// A detach fires no row trigger and checks foreign keys, so for a whole month the rows that
/// reference its emails are deleted first and the recipients counts lowered by hand; the change
/// token (`store_changes`) is advanced and screens are told (`pg_notify`) as a write would.
/// Every step is one transaction: an interrupted run loses nothing, and running it again
/// finishes the job with the same result.
extension PostgresAuditStore: RetentionStore {
    /// One month partition pair (`emails_yYYYYmMM`, `events_yYYYYmMM`) and its bounds.
    struct MonthPartition {
        var suffix: String
        var start: Date
        var end: Date
    }

    public func emailCount(createdBefore cut: Date) throws -> Int {
        Int(try int64("SELECT count(*) FROM emails WHERE created_at < \(unescaped: Self.instant(cut))", on: connection) ?? 0)
    }

    public func applyRetention(before cut: Date, batchSize: Int,
                               progress: (RetentionProgress) throws -> Void) throws -> RetentionReport {
        precondition(batchSize > 0)
        var report = RetentionReport(cut: cut)
        let total = try emailCount(createdBefore: cut)
        try progress(RetentionProgress(done: 0, total: total))
        func step(_ removed: RetentionReport) throws {
            report.add(removed)
            try progress(report.progress(total: total))
        }
        for month in try monthPartitions() where month.end <= cut {
            try step(try connection.transaction { db in try removeMonth(month, cut: cut, on: db) })
        }
        while true {
            let removed = try connection.transaction { db in try deleteBatch(before: cut, limit: batchSize, on: db) }
            guard removed.emails > 0 else { break }
            try step(removed)
        }
        _ = try forgetWebhookTokens(receivedBefore: cut)
        return report
    }

    // MARK: Whole months

    /// The month partitions of `emails`, oldest first, with their bounds in the store's zone
    /// (the zone the partitions were made in: `store_meta.partition_time_zone`).
    func monthPartitions() throws -> [MonthPartition] {
        let names = try rows("""
            SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'emails'::regclass
            """, on: connection) { try $0[0].decode(String.self) }
        return names.compactMap { name -> MonthPartition? in
            // emails_yYYYYmMM
            let suffix = name.dropFirst("emails_".count)
            guard name.hasPrefix("emails_y"), suffix.count == 8, let year = Int(suffix.dropFirst().prefix(4)),
                  suffix.dropFirst(5).first == "m", let month = Int(suffix.suffix(2)), (1...12).contains(month) else { return nil }
            let first = CalendarDay(year: year, month: month, day: 1)
            return MonthPartition(suffix: String(suffix), start: first.start(in: timeZone),
                                  end: first.adding(months: 1).start(in: timeZone))
        }.sorted { $0.start < $1.start }
    }

    /// Removes one month wholly before the cut: what references its emails, its roll-up and
    /// recipient counts, then its two partitions.
    private func removeMonth(_ month: MonthPartition, cut: Date, on db: BlockingPostgresConnection) throws -> RetentionReport {
        var result = RetentionReport(cut: cut)
        let emails = "emails_" + month.suffix, events = "events_" + month.suffix
        // Writers that would add to this month wait here; readers see it whole until the commit.
        try db.execute("LOCK TABLE \(unescaped: emails), \(unescaped: events) IN ACCESS EXCLUSIVE MODE")
        result.emails = Int(try int64("SELECT count(*) FROM \(unescaped: emails)", on: db) ?? 0)
        result.events = Int(try int64("SELECT count(*) FROM \(unescaped: events)", on: db) ?? 0)
        let start = Self.instant(month.start), end = Self.instant(month.end)
        try removeReferences(from: start, to: end, into: &result, on: db)
        var rollups = PostgresRollupDeltas(timeZone: timeZone)
        try subtractRollups(of: "SELECT * FROM \(emails)", into: &rollups, on: db)
        try rollups.apply(on: db)
        try dropEmptyRollups(rollups, on: db)
        try db.execute("""
            UPDATE recipients r SET emails = r.emails - d.n
            FROM (SELECT account_id, to_address, count(*) AS n FROM \(unescaped: emails)
                  GROUP BY account_id, to_address ORDER BY account_id, to_address) d
            WHERE r.account_id = d.account_id AND r.address = d.to_address
            """)
        try db.execute("DELETE FROM recipients WHERE emails <= 0")
        // Dropping a partition runs no delete trigger: the month's email keys and statuses go here.
        try db.execute("""
            DELETE FROM email_keys k USING \(unescaped: emails) e WHERE k.account_id = e.account_id AND k.id = e.id
            """)
        try db.execute("""
            DELETE FROM email_statuses s USING \(unescaped: emails) e WHERE s.account_id = e.account_id AND s.id = e.id
            """)
        try db.execute("ALTER TABLE events DETACH PARTITION \(unescaped: events)")
        try db.execute("DROP TABLE \(unescaped: events)")
        try db.execute("ALTER TABLE emails DETACH PARTITION \(unescaped: emails)")
        try db.execute("DROP TABLE \(unescaped: emails)")
        try announceChange(on: db)
        return result
    }

    /// Deletes the rows that reference emails created in [`start`, `end`) (or are about them),
    /// counting notifications and resend links into `result`.
    private func removeReferences(from start: String, to end: String, into result: inout RetentionReport,
                                  on db: BlockingPostgresConnection) throws {
        func within(_ column: String) -> String { "\(column) >= \(start) AND \(column) < \(end)" }
        result.notifications += try db.execute("DELETE FROM notifications WHERE \(unescaped: within("email_created_at"))")
        try db.execute("DELETE FROM notification_digests WHERE \(unescaped: within("email_created_at"))")
        try db.execute("""
            UPDATE contact_changes SET resend_id = NULL, resend_created_at = NULL WHERE \(unescaped: within("resend_created_at"))
            """)
        result.resendLinks += try db.execute("""
            DELETE FROM email_resends WHERE (\(unescaped: within("resend_created_at"))) OR (\(unescaped: within("original_created_at")))
            """)
        for table in ["email_units", "email_host_ids", "hand_over_claims"] {
            try db.execute("DELETE FROM \(unescaped: table) WHERE \(unescaped: within("email_created_at"))")
        }
    }

    // MARK: The rest of the cut's month

    /// Deletes up to `limit` of the oldest emails created before `cut` (every account) with what
    /// references them (their events deleted here, their links by `ON DELETE CASCADE`), the recipients counts
    /// by the delete trigger.
    private func deleteBatch(before cut: Date, limit: Int, on db: BlockingPostgresConnection) throws -> RetentionReport {
        var result = RetentionReport(cut: cut)
        let doomed = try rows("""
            SELECT account_id, id FROM emails WHERE created_at < \(unescaped: Self.instant(cut))
            ORDER BY created_at, account_id, id LIMIT \(Int64(limit)) FOR UPDATE
            """, on: db) { row in
            (try row[0].decode(Int64.self), try row[1].decode(Int64.self))
        }
        guard !doomed.isEmpty else { return result }
        var statement = PostgresStatement()
        let accounts = statement.bind(doomed.map(\.0)), ids = statement.bind(doomed.map(\.1))
        let keys = "(account_id, email_id) IN (SELECT * FROM unnest(\(accounts)::bigint[], \(ids)::bigint[]))"
        let emailKeys = "(account_id, id) IN (SELECT * FROM unnest(\(accounts)::bigint[], \(ids)::bigint[]))"
        var rollups = PostgresRollupDeltas(timeZone: timeZone)
        try subtractRollups(of: "SELECT * FROM emails WHERE \(emailKeys)", binds: statement, into: &rollups, on: db)
        result.notifications = try db.execute(statement.query("DELETE FROM notifications WHERE \(keys)"))
        try db.execute(statement.query("DELETE FROM notification_digests WHERE \(keys)"))
        result.resendLinks = try db.execute(statement.query("""
            DELETE FROM email_resends WHERE (account_id, resend_id) IN (SELECT * FROM unnest(\(accounts)::bigint[], \(ids)::bigint[]))
               OR (account_id, original_id) IN (SELECT * FROM unnest(\(accounts)::bigint[], \(ids)::bigint[]))
            """))
        // Events have no foreign key to emails (schema version 6): they go first, by their key.
        result.events = try db.execute(statement.query("DELETE FROM events WHERE \(keys)"))
        result.emails = try db.execute(statement.query("DELETE FROM emails WHERE \(emailKeys)"))
        try rollups.apply(on: db)
        try dropEmptyRollups(rollups, on: db)
        try db.execute("DELETE FROM recipients WHERE emails <= 0")
        return result
    }

    // MARK: Counts

    /// Subtracts one per email of `source` (a query over emails) from its roll-up cells.
    private func subtractRollups(of source: String, binds: PostgresStatement = PostgresStatement(),
                                 into rollups: inout PostgresRollupDeltas, on db: BlockingPostgresConnection) throws {
        let zone = timeZone.identifier.replacingOccurrences(of: "'", with: "''")
        let cells = try rows(binds.query("""
            SELECT account_id, raised_by_id, status, (extract(epoch FROM min(created_at)) * 1000)::bigint, count(*)
            FROM (\(source)) e
            GROUP BY account_id, raised_by_id, status, (created_at AT TIME ZONE '\(zone)')::date
            """), on: db) { row in
            (try row[0].decode(Int64.self), try row[1].decode(Int64.self), try row[2].decode(Int16.self),
             try row[3].decode(Int64.self), try row[4].decode(Int64.self))
        }
        for (account, raiser, status, firstMilliseconds, count) in cells {
            rollups.add(accountID: account, at: Date(timeIntervalSince1970: Double(firstMilliseconds) / 1000), raisedByID: raiser,
                        status: EmailStatus(code: Int(status)) ?? .pending, -Int(count))
        }
    }

    /// Deletes the roll-up cells `rollups` touched that are left at 0.
    private func dropEmptyRollups(_ rollups: PostgresRollupDeltas, on db: BlockingPostgresConnection) throws {
        for (table, period, cells) in [("rollups", "day", rollups.days), ("rollups_monthly", "month", rollups.months),
                                       ("rollups_yearly", "year", rollups.years)] where !cells.isEmpty {
            var statement = PostgresStatement()
            let keys = cells.keys.sorted()
            let accounts = statement.bind(keys.map(\.accountID)), periods = statement.bind(keys.map { Int64($0.period) })
            let raisers = statement.bind(keys.map(\.raisedByID)), statuses = statement.bind(keys.map { Int64($0.status) })
            try db.execute(statement.query("""
                DELETE FROM \(table) WHERE count = 0 AND (account_id, \(period), raised_by_id, status) IN
                    (SELECT a, p::integer, r, s::smallint FROM unnest(\(accounts)::bigint[], \(periods)::bigint[],
                                                                      \(raisers)::bigint[], \(statuses)::bigint[]) AS k(a, p, r, s))
                """))
        }
    }

    /// Advances the change token and tells listening screens, as the write triggers do.
    private func announceChange(on db: BlockingPostgresConnection) throws {
        try db.execute("""
            SELECT pg_advisory_xact_lock_shared(\(PostgresSchema.changeLockKey)), nextval('store_changes'),
                   pg_notify('\(unescaped: PostgresChangeWatch.channel)', '')
            """)
    }

    /// `date` as a SQL instant literal (whole milliseconds, as `created_at` is stored).
    private static func instant(_ date: Date) -> String {
        "(timestamptz 'epoch' + \(StoredEventCoding.milliseconds(date)) * interval '1 millisecond')"
    }
}
