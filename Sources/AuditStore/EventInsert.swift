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

    /// The statement: a new event stored once per (email, event key). The index on
    /// `(email_id, key_hash)` finds the rows that may hold the same key; the key itself is
    /// compared on them, so two keys sharing a hash are both stored (schema v12,
    /// ``EventKeyHash``). Every placeholder is numbered: `?1` … `?N` are the columns in order,
    /// and the check reuses the email's, the key's and the hash's.
    static let sql = """
        INSERT INTO events (\(columns.joined(separator: ", ")))
        SELECT \((1...columns.count).map { "?\($0)" }.joined(separator: ", "))
        WHERE NOT EXISTS (
            SELECT 1 FROM events WHERE email_id = ?\(emailIDPosition) AND key_hash = ?\(keyHashPosition)
                AND event_key = ?\(position(.key)))
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
