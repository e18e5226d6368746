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
    static let columns = ["email_id"] + EventRecord.Columns.allCases.map(\.sql) + ["raw_json"]

    /// The statement: a new event stored once per (email, event key).
    static let sql = """
        INSERT INTO events (\(columns.joined(separator: ", ")))
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (email_id, event_key) DO NOTHING
        """

    /// The placeholder of `email_id`.
    static let emailIDPosition: Int32 = 1
    /// The placeholder of `raw_json`, after the event's columns.
    static let rawJSONPosition = Int32(EventRecord.Columns.allCases.count) + 2

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
