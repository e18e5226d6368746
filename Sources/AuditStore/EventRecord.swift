import AuditCore
import GRDB

/// A provider event read from `events`, through GRDB rows or, on the ingest hot path, a
/// ``RawStatement``; both read the same ``Columns``.
struct EventRecord: FetchableRecord {
    /// The columns read, in SELECT order (``SelectedColumns``).
    enum Columns: Int, SelectedColumns {
        case key, providerEventID, kind, occurredAt, severity, reason, code, enhancedCode, message, description
        case mxHost, attemptNumber, retrySeconds, rejectReason, url, delayedBounce

        var sql: String {
            switch self {
            case .key: "event_key"
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
            }
        }
    }

    /// The SELECT list for a query over `events`.
    static let selection = Columns.selection

    let event: ProviderEvent

    init(row: Row) {
        let kindText: String = row[Columns.kind]
        let severityText: String? = row[Columns.severity]
        let providerEventID: String = row[Columns.providerEventID]
        event = Self.event(
            key: StoredEventKey.key(stored: row[Columns.key], providerEventID: providerEventID, kind: kindText),
            providerEventID: providerEventID, kind: kindText,
            occurredAt: row[Columns.occurredAt], severity: severityText, reason: row[Columns.reason],
            code: row[Columns.code], enhancedCode: row[Columns.enhancedCode], message: row[Columns.message],
            description: row[Columns.description], mxHost: row[Columns.mxHost], attempt: row[Columns.attemptNumber],
            retry: row[Columns.retrySeconds], rejectReason: row[Columns.rejectReason], url: row[Columns.url],
            delayedBounce: row[Columns.delayedBounce] as Int64? ?? 0)
    }

    /// The event whose columns start at `offset` of the current row of `raw` (a statement
    /// selecting ``selection`` from that position).
    static func event(from raw: RawStatement, at offset: Int32) -> ProviderEvent {
        func at(_ column: Columns) -> Int32 { column.position(after: offset) }
        let providerEventID = raw.string(at(.providerEventID)), kind = raw.string(at(.kind))
        return event(
            key: StoredEventKey.key(stored: raw.string(at(.key)), providerEventID: providerEventID, kind: kind),
            providerEventID: providerEventID, kind: kind,
            occurredAt: raw.int64(at(.occurredAt)), severity: raw.optionalString(at(.severity)),
            reason: raw.optionalString(at(.reason)), code: raw.optionalInt(at(.code)),
            enhancedCode: raw.optionalString(at(.enhancedCode)), message: raw.optionalString(at(.message)),
            description: raw.optionalString(at(.description)), mxHost: raw.optionalString(at(.mxHost)),
            attempt: raw.optionalInt(at(.attemptNumber)), retry: raw.optionalInt(at(.retrySeconds)),
            rejectReason: raw.optionalString(at(.rejectReason)), url: raw.optionalString(at(.url)),
            delayedBounce: raw.int64(at(.delayedBounce)))
    }

    /// The event from its stored values (a delivery status only when one of its parts is stored).
    @inline(__always)
    private static func event(key: String, providerEventID: String, kind: String, occurredAt: Int64, severity: String?,
                              reason: String?, code: Int?, enhancedCode: String?, message: String?, description: String?,
                              mxHost: String?, attempt: Int?, retry: Int?, rejectReason: String?, url: String?,
                              delayedBounce: Int64) -> ProviderEvent {
        let hasDelivery = code != nil || enhancedCode != nil || message != nil || description != nil
            || mxHost != nil || attempt != nil || retry != nil
        return ProviderEvent(
            key: key, providerEventID: providerEventID, kind: EventKind(rawValue: kind) ?? .stored,
            occurredAt: StorageEncoding.date(microseconds: occurredAt),
            severity: severity.flatMap(FailureSeverity.init(rawValue:)), reason: reason,
            delivery: hasDelivery ? DeliveryStatus(code: code, enhancedCode: enhancedCode, message: message,
                                                   description: description, mxHost: mxHost,
                                                   attemptNumber: attempt, retrySeconds: retry) : nil,
            rejectReason: rejectReason, url: url, isDelayedBounce: delayedBounce != 0)
    }
}
