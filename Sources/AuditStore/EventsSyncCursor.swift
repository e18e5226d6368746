import AuditCore
import Foundation
import GRDB

/// Where `email-audit sync` got to in the provider's Events API, so it resumes after an
/// interruption: the `meta` row of ``EventsSyncCursorKey``.
extension AuditDatabase: EventsSyncCursorStore, EventsSyncStore {
    /// The newest event timestamp (epoch seconds) a sync has stored, if any.
    public func eventsSyncCursor() throws -> Double? {
        try read { db in
            try Double.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [EventsSyncCursorKey.key])
        }
    }

    /// Moves the cursor forward to `timestamp` (never backwards).
    public func advanceEventsSyncCursor(to timestamp: Double) throws {
        try write { db in
            let current = try Double.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [EventsSyncCursorKey.key])
            guard current.map({ timestamp > $0 }) ?? true else { return }
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [EventsSyncCursorKey.key, timestamp])
        }
    }
}
