import AuditCore
import AuditStore
import Foundation
import PostgresNIO

/// The feeder's hand-over outcomes (schema v2's `hand_over_outcomes`) and the change token.
extension PostgresAuditStore {
    /// Records the outcome of a hand-over run: `answered` when the provider took (or refused)
    /// every request, false when it was down, rate-limiting or erroring. Several feeders may
    /// record: each outcome keeps its latest time.
    public func recordHandOverOutcome(answered: Bool, at time: Date) throws {
        let milliseconds = StoredEventCoding.milliseconds(time)
        try connection.execute("""
            INSERT INTO hand_over_outcomes AS h (outcome, at)
            VALUES (\(answered ? "success" : "failure"), timestamptz 'epoch' + \(milliseconds) * interval '1 millisecond')
            ON CONFLICT (outcome) DO UPDATE SET at = greatest(h.at, excluded.at)
            """)
    }

    /// The feeder's last success and failure, and the account's Pending emails (every
    /// account's when nil): how many, how many past ``HandOverHealth/pendingLimit`` at `now`,
    /// and the oldest (the feeder's queue index `emails_pending`).
    public func handOverHealth(accountID: Int64?, now: Date) throws -> HandOverHealth {
        var health = HandOverHealth()
        for (outcome, at) in try rows("SELECT outcome, round(extract(epoch FROM at) * 1000)::bigint FROM hand_over_outcomes", {
            (try $0[0].decode(String.self), StoredEventCoding.date(milliseconds: try $0[1].decode(Int64.self)))
        }) {
            if outcome == "success" { health.lastSuccess = at } else { health.lastFailure = at }
        }
        var statement = PostgresStatement()
        let limit = statement.time(now - HandOverHealth.pendingLimit)
        let sql = """
            SELECT count(*), count(*) FILTER (WHERE e.created_at < \(limit)), round(extract(epoch FROM min(e.created_at)) * 1000)::bigint
            FROM emails e WHERE e.handed_over_at IS NULL\(accountID.map { " AND e.account_id = \(statement.bind($0))" } ?? "")
            """
        if let row = try rows(statement.query(sql), {
            (pending: try $0[0].decode(Int64.self), late: try $0[1].decode(Int64.self), oldest: try $0[2].decode(Int64?.self))
        }).first {
            health.pending = Int(row.pending)
            health.pendingOverLimit = Int(row.late)
            health.oldestPending = row.oldest.map(StoredEventCoding.date(milliseconds:))
        }
        return health
    }

    /// A number that changes whenever emails, events, suppressions or resends change
    /// (``PostgresChangeToken``), read from the server only after a change notice
    /// (``PostgresChangeWatch``).
    public func changeToken() throws -> Int64 {
        try changeWatch.token(on: connection)
    }
}

/// The change token on PostgreSQL: what screens poll to learn that the list may have changed.
///
/// Every statement that changes `emails`, `events`, `account_suppressions` or `email_resends`
/// advances the sequence `store_changes` and takes the shared advisory lock
/// ``PostgresSchema/changeLockKey`` until its transaction ends (schema v2's triggers). The token is
/// `2 × the sequence's last value`, plus 1 while any transaction holding the lock is still
/// running. The sequence moves when the write is made, before it commits, so a screen that
/// re-read in between would see the old rows and no later change; the odd token ends when the
/// writer's transaction does, after its rows became visible (PostgreSQL releases a
/// transaction's locks after it commits), so the token changes once more and the screen reads
/// the committed rows. A rolled-back write moves it too (a harmless extra re-read).
///
/// Reading it is two small catalog reads (the sequence's one row, `pg_locks` filtered to one
/// key), with no lock and no hot row: writers never wait on each other for it, as they would
/// on a counter row. Screens read it only after a change notice (LISTEN/NOTIFY,
/// ``PostgresChangeWatch``), or on every tick if they cannot listen.
public enum PostgresChangeToken {
    /// Reads the token.
    public static func read(on db: BlockingPostgresConnection) throws -> Int64 {
        let key = PostgresSchema.changeLockKey
        let rows = try db.rows("""
            SELECT (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM store_changes) * 2
                 + CASE WHEN EXISTS (SELECT 1 FROM pg_locks
                        WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                          AND classid = \(key >> 32)::oid AND objid = \(key & 0xFFFF_FFFF)::oid AND objsubid = 1)
                   THEN 1 ELSE 0 END
            """)
        guard let token = try? rows.first?.decode(Int64.self) else {
            throw PostgresStoreError.server(location: db.location.description, sqlState: "XX000", message: "the change token could not be read")
        }
        return token
    }
}
