import GRDB

/// The ingest's event insert: the one statement still bound by position, because it is the
/// measured hot path (a ``RawStatement``, no `StatementArguments` per event).
///
/// Its column list and placeholders are written out in ``sql``; values are bound by
/// ``Column`` (whose raw value is the placeholder's position), and `EventInsertTests` fails
/// when the SQL's column list differs from ``Column`` or a placeholder is missing or extra.
enum EventInsert {
    /// The inserted columns, in the order of the SQL's column list; the raw value is the
    /// 1-based position of the column's placeholder.
    enum Column: Int32, CaseIterable {
        case emailID = 1, eventKey, providerEventID, kind, occurredAt, severity, reason, code, enhancedCode, message
        case description, mxHost, attemptNumber, retrySeconds, rejectReason, url, delayedBounce, rawJSON

        /// The column's name in the `events` table.
        var name: String {
            switch self {
            case .emailID: "email_id"
            case .eventKey: "event_key"
            case .providerEventID: "provider_event_id"
            case .kind: "kind"
            case .occurredAt: "occurred_at"
            case .severity: "severity"
            case .reason: "reason"
            case .code: "code"
            case .enhancedCode: "enhanced_code"
            case .message: "message"
            case .description: "description"
            case .mxHost: "mx_host"
            case .attemptNumber: "attempt_no"
            case .retrySeconds: "retry_seconds"
            case .rejectReason: "reject_reason"
            case .url: "url"
            case .delayedBounce: "delayed_bounce"
            case .rawJSON: "raw_json"
            }
        }
    }

    /// The statement, a new event stored once per (email, event key).
    static let sql = """
        INSERT INTO events (email_id, event_key, provider_event_id, kind, occurred_at, severity, reason, code,
                            enhanced_code, message, description, mx_host, attempt_no, retry_seconds,
                            reject_reason, url, delayed_bounce, raw_json)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (email_id, event_key) DO NOTHING
        """
}

extension RawStatement {
    /// Binds `value` to the placeholder of an ``EventInsert/Column``.
    func bind(_ column: EventInsert.Column, _ value: Int64?) { bind(column.rawValue, value) }

    /// Binds `value` to the placeholder of an ``EventInsert/Column``.
    func bind(_ column: EventInsert.Column, _ value: Int?) { bind(column.rawValue, value) }

    /// Binds `value` to the placeholder of an ``EventInsert/Column``.
    func bind(_ column: EventInsert.Column, _ value: String?) { bind(column.rawValue, value) }
}
