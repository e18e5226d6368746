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
        try Self.add(db, counts, table: "rollups", period: "day")
        var monthly: [RollupKey: Int] = [:]
        var monthOfDay: [Int: Int] = [:]
        for (key, delta) in counts where delta != 0 {
            let month: Int
            if let known = monthOfDay[key.day] {
                month = known
            } else {
                month = MonthlyRollups.month(ofDay: key.day)
                monthOfDay[key.day] = month
            }
            monthly[RollupKey(accountID: key.accountID, day: month, raisedByID: key.raisedByID, status: key.status), default: 0] += delta
        }
        try MonthlyRollups.add(db, monthly)
        var yearly: [RollupKey: Int] = [:]
        for (key, delta) in monthly where delta != 0 {
            yearly[RollupKey(accountID: key.accountID, day: YearlyRollups.year(ofMonth: key.day), raisedByID: key.raisedByID,
                             status: key.status), default: 0] += delta
        }
        try YearlyRollups.add(db, yearly)
    }

    /// Adds `deltas` (their `day` being the `period`: a day, month or year number) to the
    /// roll-up `table`, one upsert per non-zero cell.
    static func add(_ db: Database, _ deltas: [RollupKey: Int], table: String, period: String) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO \(table) (account_id, \(period), raised_by_id, status, count) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (account_id, \(period), raised_by_id, status) DO UPDATE SET count = count + excluded.count
            """)
        for (key, delta) in deltas where delta != 0 {
            try statement.execute(arguments: [key.accountID, key.day, key.raisedByID, key.status, delta])
        }
    }
}

/// Daily roll-ups: counts per local day, status, raised-by and account.
extension AuditDatabase {
    /// Counts per status for the filter.
    ///
    /// Without a To pattern, and when this process's zone is the store's roll-up zone, the
    /// answer comes from the roll-ups alone: whole years from the yearly table, whole months
    /// at either end from the monthly one and the days left over from the daily one, so "All
    /// dates" sums one row per year × status × raiser however many years the store holds. With a To pattern or Subject text, or in another
    /// zone than the store's (whose days the roll-ups do not follow), the matching emails are
    /// counted through an index; nothing is rewritten. Every part of the filter applies,
    /// including `statuses` (leave it empty to count every status).
    package func statusCounts(matching filter: EmailFilter, now: Date) throws -> StatusCounts {
        try read { db in
            var counts: [EmailStatus: Int] = [:]
            let rollupsFollowOurDays = try Self.rollupZoneIdentifier(db) == timeZone.identifier
            let rows: RowCursor
            let searched = filter.to != nil || !(filter.subject ?? "").isEmpty
            if searched || !rollupsFollowOurDays {
                let span = filter.dateRange.interval(now: now, timeZone: timeZone)
                let match = try filter.subject.flatMap { try EmailQueryPlanner.selectiveSubjectMatch(db, $0) }
                let query = EmailQueryPlanner.statusCountQuery(filter, span: span, subjectMatch: match)
                rows = try Row.fetchCursor(db.cachedStatement(sql: query.sql), arguments: query.arguments)
            } else {
                // Whole years come from the yearly roll-up, whole months at either end from the
                // monthly one, and the days left over from the daily one.
                let days = filter.dateRange.days(now: now, timeZone: timeZone)
                let plan = YearlyRollups.plan(first: days.first, last: days.last)
                var common: [String] = [], commonArguments: StatementArguments = []
                FilterConditions.account(filter.accountID, &common, &commonArguments)
                FilterConditions.statuses(filter.statuses, &common, &commonArguments)
                FilterConditions.raisedBy(filter.raisedBy, &common, &commonArguments)
                func add(table: String, column: String, range: (Int?, Int?)) throws {
                    var conditions = common, arguments = commonArguments
                    if let low = range.0 { conditions.append("\(column) >= ?"); arguments += [low] }
                    if let high = range.1 { conditions.append("\(column) <= ?"); arguments += [high] }
                    var sql = "SELECT status, sum(count) FROM \(table)"
                    if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
                    sql += " GROUP BY status"
                    let part = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
                    while let row = try part.next() {
                        let count: Int = row[1] ?? 0
                        if count != 0, let status = EmailStatus(code: row[0]) { counts[status, default: 0] += count }
                    }
                }
                if let years = plan.years { try add(table: "rollups_yearly", column: "year", range: years) }
                for range in plan.months { try add(table: "rollups_monthly", column: "month", range: range) }
                for range in plan.days { try add(table: "rollups", column: "day", range: range) }
                return StatusCounts(byStatus: counts.filter { $0.value != 0 })
            }
            while let row = try rows.next() {
                let count: Int = row[1] ?? 0
                if count != 0, let status = EmailStatus(code: row[0]) { counts[status] = count }
            }
            return StatusCounts(byStatus: counts)
        }
    }

    /// Records this process's zone as the store's roll-up zone when the store has none yet
    /// (a new store). An existing store keeps its zone whatever `--time-zone` says: only
    /// ``changeRollupTimeZone(to:)`` changes it.
    func recordTimeZoneIfMissing() throws {
        try pool.write { db in
            guard try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [MetaKey.timeZone]) == nil else {
                return
            }
            try rebuildRollups(db, zone: timeZone)
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?)", arguments: [MetaKey.timeZone, timeZone.identifier])
            try bumpChangeCounter(db)
        }
    }

    /// Makes `zone` the store's roll-up zone: recounts every roll-up by its days, in one
    /// transaction under the write lock (an ingest running meanwhile waits, then adds its counts
    /// by the new zone's days). Returns whether anything changed.
    @discardableResult
    public func changeRollupTimeZone(to zone: TimeZone) throws -> Bool {
        try write { db in
            if try Self.rollupZoneIdentifier(db) == zone.identifier { return false }
            try rebuildRollups(db, zone: zone)
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [MetaKey.timeZone, zone.identifier])
            try bumpChangeCounter(db)
            return true
        }
    }

    /// The identifier of the zone whose days the roll-ups count, read in `db`'s transaction.
    static func rollupZoneIdentifier(_ db: Database) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'time_zone'"))
    }

    /// Local days in the store's roll-up zone, for a write transaction (this process's zone
    /// when the store has none recorded yet).
    func rollupDays(_ db: Database) throws -> LocalDayCalculator {
        if let identifier = try Self.rollupZoneIdentifier(db), identifier != timeZone.identifier,
           let zone = TimeZone(identifier: identifier) {
            return LocalDayCalculator(timeZone: zone)
        }
        return LocalDayCalculator(timeZone: timeZone)
    }

    /// Recounts every roll-up from the emails table by the days of `zone`.
    func rebuildRollups(_ db: Database, zone: TimeZone) throws {
        try db.execute(sql: "DELETE FROM rollups")
        var days = LocalDayCalculator(timeZone: zone)
        var deltas = RollupDeltas()
        let rows = try Row.fetchCursor(db, sql: "SELECT account_id, raised_by_id, status, created_at FROM emails")
        while let row = try rows.next() {
            deltas.add(accountID: row[0], day: days.day(milliseconds: row[3]), raisedByID: row[1],
                       status: EmailStatus(code: row[2]) ?? .pending, 1)
        }
        try db.execute(sql: "DELETE FROM rollups_monthly")
        try db.execute(sql: "DELETE FROM rollups_yearly")
        try deltas.apply(db)
    }

    /// The time zone the roll-ups were built with (the store's zone once opened).
    public func rollupTimeZoneIdentifier() throws -> String? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [MetaKey.timeZone])
        }
    }
}

/// The monthly roll-up: the same counts as the daily one, summed per local month (the
/// periods and the plan of a span are ``RollupPlan``'s, shared with the PostgreSQL store).
enum MonthlyRollups {
    /// The month number (year * 12 + month - 1) of a day ordinal.
    static func month(ofDay ordinal: Int) -> Int { RollupPlan.month(ofDay: ordinal) }

    static func firstDay(ofMonth month: Int) -> CalendarDay { RollupPlan.firstDay(ofMonth: month) }

    /// How to count the days `first...last` (nil = open): a range of whole months, and the
    /// day ranges left over at either end.
    static func plan(first: CalendarDay?, last: CalendarDay?) -> (months: (Int?, Int?)?, days: [(Int?, Int?)]) {
        let plan = RollupPlan.monthsAndDays(first: first, last: last)
        return (plan.months.map { ($0.low, $0.high) }, plan.days.map { ($0.low, $0.high) })
    }

    static func add(_ db: Database, _ deltas: [RollupKey: Int]) throws {
        try RollupDeltas.add(db, deltas, table: "rollups_monthly", period: "month")
    }

    /// Recomputes the monthly roll-up from the daily one.
    static func rebuild(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM rollups_monthly")
        var monthly: [RollupKey: Int] = [:]
        var monthOfDay: [Int: Int] = [:]
        let rows = try Row.fetchCursor(db, sql: "SELECT account_id, day, raised_by_id, status, count FROM rollups")
        while let row = try rows.next() {
            let day: Int = row[1]
            let month = monthOfDay[day] ?? Self.month(ofDay: day)
            monthOfDay[day] = month
            monthly[RollupKey(accountID: row[0], day: month, raisedByID: row[2], status: row[3]), default: 0] += row[4] as Int
        }
        try add(db, monthly)
    }
}

/// The yearly roll-up (schema v10): the same counts as the monthly one, summed per local year.
enum YearlyRollups {
    /// The year of a month number (year * 12 + month - 1).
    static func year(ofMonth month: Int) -> Int { RollupPlan.year(ofMonth: month) }

    /// How to count the days `first...last` (nil = open): ``RollupPlan/covering(first:last:)``.
    static func plan(first: CalendarDay?, last: CalendarDay?) -> (years: (Int?, Int?)?, months: [(Int?, Int?)], days: [(Int?, Int?)]) {
        let plan = RollupPlan.covering(first: first, last: last)
        return (plan.years.map { ($0.low, $0.high) }, plan.months.map { ($0.low, $0.high) }, plan.days.map { ($0.low, $0.high) })
    }

    static func add(_ db: Database, _ deltas: [RollupKey: Int]) throws {
        try RollupDeltas.add(db, deltas, table: "rollups_yearly", period: "year")
    }
}
