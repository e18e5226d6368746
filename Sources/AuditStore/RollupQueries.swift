import AuditCore
import Foundation
import GRDB

/// One cell of the roll-up table.
struct RollupKey: Hashable {
    var accountID: Int64
    var day: Int
    var raisedByID: Int64
    var status: Int
}

/// Changes to roll-up counts gathered during a write transaction and applied once at its end.
struct RollupDeltas {
    private(set) var counts: [RollupKey: Int] = [:]

    mutating func add(accountID: Int64, day: Int, raisedByID: Int64, status: EmailStatus, _ delta: Int) {
        counts[RollupKey(accountID: accountID, day: day, raisedByID: raisedByID, status: status.code), default: 0] += delta
    }

    func apply(_ db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO rollups (account_id, day, raised_by_id, status, count) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (account_id, day, raised_by_id, status) DO UPDATE SET count = count + excluded.count
            """)
        for (key, delta) in counts where delta != 0 {
            try statement.execute(arguments: [key.accountID, key.day, key.raisedByID, key.status, delta])
        }
    }
}

/// Daily roll-ups: counts per local day, status, raised-by and account.
extension AuditDatabase {
    /// Counts per status for the filter.
    ///
    /// Without a To pattern the answer comes from the roll-up table alone (a sum over the
    /// days of the range), so "All dates" over millions of emails costs no more than the
    /// number of days. With a To pattern the matching emails are counted through the
    /// `to_address` index. Every part of the filter applies, including `statuses` (leave it
    /// empty to count every status).
    public func statusCounts(matching filter: EmailFilter, now: Date) throws -> StatusCounts {
        try read { db in
            var counts: [EmailStatus: Int] = [:]
            let statusList = StorageEncoding.jsonArray(filter.statuses.map { Int64($0.code) }.sorted())
            let raisedList = StorageEncoding.jsonArray(filter.raisedBy.sorted())
            var arguments: StatementArguments = []
            var conditions: [String] = []
            let rows: RowCursor
            if let pattern = filter.to {
                let span = filter.dateRange.interval(now: now, timeZone: timeZone)
                conditions += EmailQueryPlanner.addressConditions(pattern, arguments: &arguments)
                if let start = span.start { conditions.append("created_at >= ?"); arguments += [StorageEncoding.milliseconds(start)] }
                if let end = span.end { conditions.append("created_at < ?"); arguments += [StorageEncoding.milliseconds(end)] }
                if let account = filter.accountID { conditions.append("account_id = ?"); arguments += [account] }
                if !filter.statuses.isEmpty { conditions.append("status IN (SELECT value FROM json_each(?))"); arguments += [statusList] }
                if !filter.raisedBy.isEmpty { conditions.append("raised_by_id IN (SELECT value FROM json_each(?))"); arguments += [raisedList] }
                let sql = "SELECT status, count(*) FROM emails INDEXED BY emails_to_created WHERE "
                    + conditions.joined(separator: " AND ") + " GROUP BY status"
                rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
            } else {
                let days = filter.dateRange.days(now: now, timeZone: timeZone)
                if let first = days.first { conditions.append("day >= ?"); arguments += [first.ordinal] }
                if let last = days.last { conditions.append("day <= ?"); arguments += [last.ordinal] }
                if let account = filter.accountID { conditions.append("account_id = ?"); arguments += [account] }
                if !filter.statuses.isEmpty { conditions.append("status IN (SELECT value FROM json_each(?))"); arguments += [statusList] }
                if !filter.raisedBy.isEmpty { conditions.append("raised_by_id IN (SELECT value FROM json_each(?))"); arguments += [raisedList] }
                var sql = "SELECT status, sum(count) FROM rollups"
                if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
                sql += " GROUP BY status"
                rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
            }
            while let row = try rows.next() {
                let count: Int = row[1] ?? 0
                if count != 0, let status = EmailStatus(code: row[0]) { counts[status] = count }
            }
            return StatusCounts(byStatus: counts)
        }
    }

    /// Records the time zone on a new store, or rebuilds the roll-ups (in one transaction)
    /// when the store is opened with a zone other than the one they were built with.
    func prepareRollups() throws {
        let stored = try pool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [MetaKey.timeZone])
        }
        guard stored != timeZone.identifier else { return }
        try pool.write { db in
            try rebuildRollups(db)
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [MetaKey.timeZone, timeZone.identifier])
            try bumpChangeCounter(db)
        }
    }

    /// Recounts every roll-up from the emails table in the store's time zone.
    func rebuildRollups(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM rollups")
        var days = LocalDayCalculator(timeZone: timeZone)
        var deltas = RollupDeltas()
        let rows = try Row.fetchCursor(db, sql: "SELECT account_id, raised_by_id, status, created_at FROM emails")
        while let row = try rows.next() {
            deltas.add(accountID: row[0], day: days.day(milliseconds: row[3]), raisedByID: row[1],
                       status: EmailStatus(code: row[2]) ?? .pending, 1)
        }
        try deltas.apply(db)
    }

    /// The time zone the roll-ups were built with (the store's zone once opened).
    public func rollupTimeZoneIdentifier() throws -> String? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [MetaKey.timeZone])
        }
    }
}
