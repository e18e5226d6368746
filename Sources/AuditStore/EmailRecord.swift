import AuditCore
import GRDB

/// A whole email read from `emails e` (with its raiser's name), for View, `show` and the hand-over.
struct EmailRecord: FetchableRecord {
    /// The columns read, in SELECT order (``SelectedColumns``).
    enum Columns: Int, SelectedColumns {
        case id, accountID, raisedByID, raisedByName, activity, to, cc, from, subject, body, attachments, createdAt
        case providerMessageID, status, statusDetail, lastEventAt

        var sql: String {
            switch self {
            case .id: "e.id"
            case .accountID: "e.account_id"
            case .raisedByID: "e.raised_by_id"
            case .raisedByName: "(SELECT name FROM staff WHERE id = e.raised_by_id)"
            case .activity: "e.activity"
            case .to: "e.to_address"
            case .cc: "e.cc"
            case .from: Senders.address(of: "e")
            case .subject: "e.subject"
            case .body: "e.body"
            case .attachments: "e.attachments"
            case .createdAt: "e.created_at"
            case .providerMessageID: "e.provider_message_id"
            case .status: "e.status"
            case .statusDetail: "e.status_detail"
            case .lastEventAt: "e.last_event_at"
            }
        }
    }

    /// The SELECT list for a query over `emails e`.
    static let selection = Columns.selection

    let email: Email

    /// - Throws: ``CompactText/DecodingError`` when a compressed body is damaged.
    init(row: Row) throws {
        email = Email(
            id: row[Columns.id], accountID: row[Columns.accountID], raisedByID: row[Columns.raisedByID],
            raisedByName: row[Columns.raisedByName] ?? "",
            activity: Activity(rawValue: row[Columns.activity]) ?? .external,
            to: row[Columns.to], cc: StorageEncoding.decodeStringArray(row[Columns.cc]), from: row[Columns.from],
            subject: row[Columns.subject], textBody: try StoredBody.text(row[Columns.body]),
            attachmentNames: StorageEncoding.decodeStringArray(row[Columns.attachments]),
            createdAt: StorageEncoding.date(milliseconds: row[Columns.createdAt]),
            providerMessageID: row[Columns.providerMessageID],
            status: EmailStatus(code: row[Columns.status]) ?? .pending,
            statusDetail: StorageEncoding.decodeStatusDetail(row[Columns.statusDetail]),
            lastEventAt: (row[Columns.lastEventAt] as Int64?).map { StorageEncoding.date(microseconds: $0) })
    }
}

/// One line of the Email Audit list read from `emails e`, with its `created_at` as stored (the
/// keyset cursor and the merge of several index ranges order by it).
struct SummaryRecord: FetchableRecord {
    /// The columns read, in SELECT order (``SelectedColumns``).
    enum Columns: Int, SelectedColumns {
        case id, createdAt, to, subject, raisedByName, status, activity

        var sql: String {
            switch self {
            case .id: "id"
            case .createdAt: "created_at"
            case .to: "to_address"
            case .subject: "subject"
            case .raisedByName: "(SELECT name FROM staff WHERE id = e.raised_by_id)"
            case .status: "status"
            case .activity: "activity"
            }
        }
    }

    /// The SELECT list for a query over `emails e`.
    static let selection = Columns.selection

    /// `created_at` in milliseconds, as stored.
    let createdAtMilliseconds: Int64
    let summary: EmailSummary

    init(row: Row) {
        createdAtMilliseconds = row[Columns.createdAt]
        summary = EmailSummary(
            id: row[Columns.id], createdAt: StorageEncoding.date(milliseconds: createdAtMilliseconds),
            to: row[Columns.to], subject: row[Columns.subject], raisedByName: row[Columns.raisedByName] ?? "",
            status: EmailStatus(code: row[Columns.status]) ?? .pending,
            activity: Activity(rawValue: row[Columns.activity]) ?? .external)
    }
}
