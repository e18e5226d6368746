import AuditCore
import Foundation
import GRDB

extension AuditDatabase {
    /// Records the outcome of a hand-over run in `meta`: `answered` when the provider took (or
    /// refused) every request, false when it was down, rate-limiting or erroring. The screen's
    /// status line reads it back through ``handOverHealth(accountID:now:)``. Of two times of
    /// one kind the later is kept (``HandOverQueueStore``).
    public func recordHandOverOutcome(answered: Bool, at time: Date) throws {
        let key = answered ? MetaKey.handOverLastSuccess : MetaKey.handOverLastFailure
        try write { db in
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)",
                           arguments: [key, StorageEncoding.milliseconds(time)])
        }
    }

    /// The feeder's last success and failure, and the account's Pending emails (all accounts
    /// when nil): how many, how many past ``HandOverHealth/pendingLimit`` at `now`, and the oldest.
    public func handOverHealth(accountID: Int64?, now: Date) throws -> HandOverHealth {
        try read { db in
            let statement = try db.cachedStatement(sql: "SELECT value FROM meta WHERE key = ?")
            let success = try Int64.fetchOne(statement, arguments: [MetaKey.handOverLastSuccess])
            let failure = try Int64.fetchOne(statement, arguments: [MetaKey.handOverLastFailure])
            let limit = StorageEncoding.milliseconds(now - HandOverHealth.pendingLimit)
            let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT count(*) AS pending, coalesce(sum(e.created_at < ?), 0) AS late, min(e.created_at) AS oldest
                FROM emails e INDEXED BY emails_pending
                WHERE e.handed_over_at IS NULL AND (? IS NULL OR e.account_id = ?)
                """),
                arguments: [limit, accountID, accountID])
            let oldest: Int64? = row?["oldest"]
            return HandOverHealth(
                lastSuccess: success.map(StorageEncoding.date(milliseconds:)),
                lastFailure: failure.map(StorageEncoding.date(milliseconds:)),
                pending: row?["pending"] ?? 0,
                pendingOverLimit: row?["late"] ?? 0,
                oldestPending: oldest.map(StorageEncoding.date(milliseconds:)))
        }
    }
}
