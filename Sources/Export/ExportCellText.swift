import AuditCore
import Foundation

/// Cell texts for a million rows without a million times the work: dates through
/// ``LocalClock``, and the texts that follow from the status and the provider's detail
/// (Status detail, Recommended action) worked out once per distinct status and detail.
final class ExportCellText {
    private var clock: LocalClock
    private let format: UKDateFormat
    private var derived: [DerivedKey: (detail: String, action: String)] = [:]

    private struct DerivedKey: Hashable {
        var status: EmailStatus
        var detail: StatusDetail?
    }

    init(timeZone: TimeZone) {
        clock = LocalClock(timeZone: timeZone)
        format = UKDateFormat(timeZone: timeZone)
    }

    /// The cell of `column` for `row`, as ``ExportColumn/text(of:format:)`` gives it.
    func text(_ column: ExportColumn, of row: ExportRow) -> String {
        switch column {
        case .dateTime:
            return clock.dateTimeText(row.summary.createdAt)
        case .statusDetail:
            return derivedTexts(row).detail
        case .recommendedAction:
            return derivedTexts(row).action
        default:
            return column.text(of: row, format: format)
        }
    }

    /// The Excel serial of the row's local date and time.
    func excelSerial(of row: ExportRow) -> Double {
        clock.excelSerial(row.summary.createdAt)
    }

    /// The last row's texts: both columns ask for them, one after the other.
    private var lastDerived: (id: Int64, texts: (detail: String, action: String))?

    private func derivedTexts(_ row: ExportRow) -> (detail: String, action: String) {
        if let last = lastDerived, last.id == row.summary.id { return last.texts }
        let texts = lookUpDerived(row)
        lastDerived = (row.summary.id, texts)
        return texts
    }

    private func lookUpDerived(_ row: ExportRow) -> (detail: String, action: String) {
        // The detail's time and attempt differ per email but change neither text.
        var detail = row.statusDetail
        detail?.occurredAt = nil
        detail?.attemptNumber = nil
        detail?.retrySeconds = nil
        detail?.mxHost = nil
        detail?.severity = nil
        let key = DerivedKey(status: row.summary.status, detail: detail)
        if let known = derived[key] { return known }
        let texts = (row.statusDetailText, row.recommendedAction)
        if derived.count >= 10_000 { derived.removeAll(keepingCapacity: true) }
        derived[key] = texts
        return texts
    }
}
