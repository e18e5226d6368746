import AuditCore
import Foundation
import GRDB

/// Column lists and the conversions from rows to domain values.
enum RowDecoding {
    /// The columns `email(from:)` reads, for a query over `emails e`.
    static let emailColumns = """
        e.id, e.account_id, e.raised_by_id, (SELECT name FROM staff WHERE id = e.raised_by_id), e.activity, \
        e.to_address, e.cc, e.from_address, e.subject, e.body, e.attachments, e.created_at, \
        e.provider_message_id, e.status, e.status_detail, e.last_event_at
        """

    static func email(from row: Row) -> Email {
        Email(
            id: row[0], accountID: row[1], raisedByID: row[2], raisedByName: row[3] ?? "",
            activity: Activity(rawValue: row[4]) ?? .external,
            to: row[5], cc: StorageEncoding.decodeStringArray(row[6]), from: row[7], subject: row[8],
            textBody: row[9], attachmentNames: StorageEncoding.decodeStringArray(row[10]),
            createdAt: StorageEncoding.date(milliseconds: row[11]), providerMessageID: row[12],
            status: EmailStatus(code: row[13]) ?? .pending,
            statusDetail: StorageEncoding.decodeStatusDetail(row[14]),
            lastEventAt: (row[15] as Int64?).map { StorageEncoding.date(microseconds: $0) })
    }

    /// The columns `event(from:at:)` reads, in order, for a query over `events`.
    static let eventColumns = """
        event_key, provider_event_id, kind, occurred_at, severity, reason, code, enhanced_code, message, \
        description, mx_host, attempt_no, retry_seconds, reject_reason, url, delayed_bounce
        """

    /// Rebuilds a ``ProviderEvent`` from the event columns starting at `offset`.
    static func event(from row: Row, at offset: Int = 0) -> ProviderEvent {
        let o = offset
        let code: Int? = row[o + 6]
        let enhanced: String? = row[o + 7]
        let message: String? = row[o + 8]
        let description: String? = row[o + 9]
        let mxHost: String? = row[o + 10]
        let attempt: Int? = row[o + 11]
        let retry: Int? = row[o + 12]
        let hasDelivery = code != nil || enhanced != nil || message != nil || description != nil
            || mxHost != nil || attempt != nil || retry != nil
        let kindText: String = row[o + 2]
        let severityText: String? = row[o + 4]
        return ProviderEvent(
            key: row[o], providerEventID: row[o + 1], kind: EventKind(rawValue: kindText) ?? .stored,
            occurredAt: StorageEncoding.date(microseconds: row[o + 3]),
            severity: severityText.flatMap(FailureSeverity.init(rawValue:)), reason: row[o + 5],
            delivery: hasDelivery ? DeliveryStatus(code: code, enhancedCode: enhanced, message: message,
                                                   description: description, mxHost: mxHost,
                                                   attemptNumber: attempt, retrySeconds: retry) : nil,
            rejectReason: row[o + 13], url: row[o + 14], isDelayedBounce: (row[o + 15] as Int64? ?? 0) != 0)
    }

    /// Rebuilds a ``ProviderEvent`` from the event columns starting at `offset` of a raw statement.
    static func event(from raw: RawStatement, at offset: Int32) -> ProviderEvent {
        let o = offset
        let code = raw.optionalInt(o + 6)
        let enhanced = raw.optionalString(o + 7)
        let message = raw.optionalString(o + 8)
        let description = raw.optionalString(o + 9)
        let mxHost = raw.optionalString(o + 10)
        let attempt = raw.optionalInt(o + 11)
        let retry = raw.optionalInt(o + 12)
        let hasDelivery = code != nil || enhanced != nil || message != nil || description != nil
            || mxHost != nil || attempt != nil || retry != nil
        return ProviderEvent(
            key: raw.string(o), providerEventID: raw.string(o + 1), kind: eventKind(raw.string(o + 2)),
            occurredAt: StorageEncoding.date(microseconds: raw.int64(o + 3)),
            severity: raw.optionalString(o + 4).flatMap(FailureSeverity.init(rawValue:)), reason: raw.optionalString(o + 5),
            delivery: hasDelivery ? DeliveryStatus(code: code, enhancedCode: enhanced, message: message,
                                                   description: description, mxHost: mxHost,
                                                   attemptNumber: attempt, retrySeconds: retry) : nil,
            rejectReason: raw.optionalString(o + 13), url: raw.optionalString(o + 14),
            isDelayedBounce: raw.int64(o + 15) != 0)
    }

    static func eventKind(_ text: String) -> EventKind {
        EventKind(rawValue: text) ?? .stored
    }
}
