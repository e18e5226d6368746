import AuditCore
import Foundation
import GRDB

/// Checking a store for damage.
extension AuditDatabase {
    /// Runs SQLite's `PRAGMA quick_check` (or, when `full`, `PRAGMA integrity_check`, which
    /// also checks index contents) and returns what it found, at most `limit` lines; empty
    /// when the store is intact. A store too damaged to run the check throws
    /// ``StoreError/corrupt(path:underlying:)``.
    public func integrityProblems(full: Bool = false, limit: Int = 20) throws -> [String] {
        let pragma = full ? "integrity_check" : "quick_check"
        let lines = try read { db in
            try String.fetchAll(db, sql: "PRAGMA \(pragma)(\(max(1, limit)))")
        }
        return lines == ["ok"] ? [] : lines.map(TextSanitiser.oneLine)
    }

    /// The roll-up cells (daily, monthly and yearly) whose count differs from the emails counted by
    /// the store's roll-up zone: 0 for a consistent store.
    public func rollupMismatches() throws -> Int {
        try read { db in
            let zone = try Self.rollupZoneIdentifier(db).flatMap(TimeZone.init(identifier:)) ?? timeZone
            var days = LocalDayCalculator(timeZone: zone)
            var expected = RollupDeltas()
            let rows = try Row.fetchCursor(db, sql: "SELECT account_id, raised_by_id, status, created_at FROM emails")
            while let row = try rows.next() {
                expected.add(accountID: row[0], day: days.day(milliseconds: row[3]), raisedByID: row[1],
                             status: EmailStatus(code: row[2]) ?? .pending, 1)
            }
            var daily: [RollupKey: Int] = [:], monthly: [RollupKey: Int] = [:], yearly: [RollupKey: Int] = [:]
            for (key, count) in expected.counts where count != 0 {
                daily[key] = count
                var month = key
                month.day = MonthlyRollups.month(ofDay: key.day)
                monthly[month, default: 0] += count
                var year = month
                year.day = YearlyRollups.year(ofMonth: month.day)
                yearly[year, default: 0] += count
            }
            var mismatches = 0
            for (table, column, want) in [("rollups", "day", daily), ("rollups_monthly", "month", monthly),
                                               ("rollups_yearly", "year", yearly)] {
                var seen: Set<RollupKey> = []
                let stored = try Row.fetchCursor(db, sql: "SELECT account_id, \(column), raised_by_id, status, count FROM \(table)")
                while let row = try stored.next() {
                    let key = RollupKey(accountID: row[0], day: row[1], raisedByID: row[2], status: row[3])
                    let count: Int = row[4]
                    seen.insert(key)
                    if (want[key] ?? 0) != count { mismatches += 1 }
                }
                mismatches += want.keys.filter { !seen.contains($0) }.count
            }
            return mismatches
        }
    }
}
