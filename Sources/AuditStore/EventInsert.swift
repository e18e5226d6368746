import GRDB

/// The ingest's event insert: the one statement still bound by position, because it is the
/// measured hot path (a ``RawStatement``, no `StatementArguments` per event).
///
/// Its column list is the email, every column an ``EventRecord`` reads (``EventRecord/Columns``,
/// in their order) and the raw JSON; its placeholders are written out in ``sql``, and
/// `EventInsertTests` fails when their count differs from the column list (a column added to
/// ``EventRecord/Columns`` without its placeholder). Values are bound by column, never by number.
enum EventInsert {
    /// The inserted columns, in the order of the placeholders.
    static let columns = ["email_id"] + EventRecord.Columns.allCases.map(\.sql) + ["key_hash", "raw_json"]

    /// The statement: a new event, once ``probe`` found no row with its key. `event_key` is
    /// bound in its stored form (``StoredEventKey``).
    static let sql = """
        INSERT INTO events (\(columns.joined(separator: ", ")))
        VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))
        """

    /// The rows of an email (`?1`) that may hold an event key: those with its hash (`?2`,
    /// ``EventKeyHash``), through the index `events_email_key_hash`. The ingest compares each
    /// one's key with the new event's and stores the event unless one is equal, so two keys
    /// sharing a hash are both stored (schema v11).
    static let probe = """
        SELECT provider_event_id, kind, event_key FROM events WHERE email_id = ?1 AND key_hash = ?2
        """

    /// The placeholder of `email_id`.
    static let emailIDPosition: Int32 = 1
    /// The placeholder of `key_hash`, after the event's columns.
    static let keyHashPosition = Int32(EventRecord.Columns.allCases.count) + 2
    /// The placeholder of `raw_json`, last.
    static let rawJSONPosition = Int32(EventRecord.Columns.allCases.count) + 3

    /// The placeholder of an event column.
    @inline(__always)
    static func position(_ column: EventRecord.Columns) -> Int32 { Int32(column.rawValue) + 2 }
}

extension RawStatement {
    /// Binds `value` to the placeholder of an event column of ``EventInsert``.
    func bind(_ column: EventRecord.Columns, _ value: Int64?) { bind(EventInsert.position(column), value) }

    /// Binds `value` to the placeholder of an event column of ``EventInsert``.
    func bind(_ column: EventRecord.Columns, _ value: Int?) { bind(EventInsert.position(column), value) }

    /// Binds `value` to the placeholder of an event column of ``EventInsert``.
    func bind(_ column: EventRecord.Columns, _ value: String?) { bind(EventInsert.position(column), value) }
}
