import AuditCore
import Foundation

/// `email-audit sync`'s Events API cursor on PostgreSQL: the `store_meta` row of
/// ``EventsSyncCursorKey`` (the SQLite store's key in its `meta`), the timestamp as its
/// shortest exact decimal text, so it reads back as the same `Double`.
extension PostgresAuditStore: EventsSyncCursorStore, EventsSyncStore {
    /// The newest event timestamp (epoch seconds) a sync has stored, if any.
    public func eventsSyncCursor() throws -> Double? {
        let key = EventsSyncCursorKey.key
        let stored = try rows("SELECT value FROM store_meta WHERE key = \(key)") { try $0[0].decode(String.self) }.first
        guard let stored else { return nil }
        guard let cursor = Double(stored), cursor.isFinite else {
            throw PostgresStoreError.server(location: location, sqlState: "XX000",
                                            message: "store_meta.\(key) is not a timestamp: \(PostgresStoreError.oneLine(stored))")
        }
        return cursor
    }

    /// Moves the cursor forward to `timestamp` (never backwards): one statement, so of two syncs
    /// at once the later timestamp stays whatever order they commit in.
    public func advanceEventsSyncCursor(to timestamp: Double) throws {
        guard timestamp.isFinite else {
            throw PostgresStoreError.invalidValue("the Events API cursor must be a finite timestamp, not \(timestamp)")
        }
        let key = EventsSyncCursorKey.key
        let value = String(timestamp)
        _ = try connection.execute("""
            INSERT INTO store_meta (key, value) VALUES (\(key), \(value))
            ON CONFLICT (key) DO UPDATE SET value = excluded.value
            WHERE store_meta.value::double precision < excluded.value::double precision
            """)
    }
}
