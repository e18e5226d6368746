import AuditCore
import Foundation

/// The columns of the one-line email summary, shared by every export format.
public enum SummaryColumn: String, CaseIterable, Sendable {
    case date, to, subject, raisedBy, status, activity

    public var title: String {
        switch self {
        case .date: "Date"
        case .to: "To"
        case .subject: "Subject"
        case .raisedBy: "Raised by"
        case .status: "Status"
        case .activity: "Activity"
        }
    }

    /// The cell text for a summary, neutralised for terminals and files alike.
    public func value(of summary: EmailSummary, format: UKDateFormat) -> String {
        switch self {
        case .date: format.dateTime(summary.createdAt)
        case .to: TerminalText.singleLine(summary.to)
        case .subject: TerminalText.singleLine(summary.subject)
        case .raisedBy: TerminalText.singleLine(summary.raisedByName)
        case .status: summary.status.displayName
        case .activity: summary.activity.displayName
        }
    }
}
