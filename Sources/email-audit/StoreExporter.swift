import AuditCore
import AuditStore
import Export
import Foundation
import TerminalUI

/// Wires the Export module into the screen: `x` and `p` write through the same export path
/// as `email-audit export`.
struct StoreExporter: ScreenExporter {
    /// The signed-in user's reader: exports hold the account's rows only.
    let reader: any ReportingReader
    /// Test knob: a pause after each page (EMAIL_AUDIT_EXPORT_DELAY_MS), so end-to-end tests
    /// can watch the progress and cancel.
    let pageDelay: Double

    init(reader: any ReportingReader, environment: [String: String]) {
        self.reader = reader
        pageDelay = (environment["EMAIL_AUDIT_EXPORT_DELAY_MS"].flatMap(Double.init) ?? 0) / 1000
    }

    func export(_ job: ExportJob, now: Date, progress: @escaping (Int) -> Bool) -> ExportJobResult {
        do {
            let destination = try ExportDestination(path: job.path, replaceExisting: job.replaceExisting)
            let heading = ExportHeading(accountName: job.accountName, filterWords: job.filterWords,
                                        producedBy: job.userName, producedAt: Date(), timeZone: reader.timeZone)
            let reader = self.reader, filter = job.filter, delay = pageDelay
            let source = ExportRowSource(
                summaries: { try reader.summaries(matching: filter, from: $0, direction: .older, limit: $1, now: now) },
                details: { try reader.statusDetails(emailIDs: $0) },
                links: { try reader.resendLinks(emailIDs: $0) })
            let outcome = try SummaryExport.run(
                format: job.format == .excel ? .xlsx : .pdf, destination: destination, heading: heading,
                expectedRows: job.expectedRows, source: source) { written in
                    if delay > 0 { Thread.sleep(forTimeInterval: delay) }
                    return progress(written)
                }
            return .written(path: outcome.path, rows: outcome.rows, warning: outcome.warning)
        } catch ExportError.fileExists(let path) {
            return .fileExists(path: path)
        } catch ExportError.cancelled {
            return .cancelled
        } catch {
            return .failed(String(describing: error))
        }
    }
}
