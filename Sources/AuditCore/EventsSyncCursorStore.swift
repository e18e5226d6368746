/// Where `email-audit sync` got to in the provider's Events API: the newest event timestamp a
/// sync has stored, so the next pass (or a sync interrupted and run again) resumes from it
/// rather than from the start. One cursor per store, under ``EventsSyncCursorKey/key``: SQLite
/// keeps it in `meta`, PostgreSQL in `store_meta`. It holds no account data (the events name
/// their accounts; the ingest places them).
public protocol EventsSyncCursorStore: AnyObject, Sendable {
    /// The newest event timestamp (seconds since 1970) a sync has stored, if any.
    func eventsSyncCursor() throws -> Double?
    /// Moves the cursor forward to `timestamp` (seconds since 1970); a `timestamp` at or before
    /// the stored cursor changes nothing, so the cursor never moves back.
    func advanceEventsSyncCursor(to timestamp: Double) throws
}

/// The key the Events API cursor is kept under, the same on both backends.
public enum EventsSyncCursorKey {
    /// `events_sync_cursor`, the key every SQLite store has used.
    public static let key = "events_sync_cursor"
}

/// What `email-audit sync` needs of a store, on either backend: the one ingest path for the
/// events it reads, the accounts (the first is where an event naming none is placed) and the
/// cursor it resumes from.
public protocol EventsSyncStore: EventIngestStore, PortfolioStore, EventsSyncCursorStore {}
