import AuditCore
import Foundation

/// One row of an export: the email's summary as the list shows it, plus the provider's
/// status detail that the Status detail and Recommended action columns are made of.
public struct ExportRow: Sendable, Hashable {
    public var summary: EmailSummary
    /// The provider's reason for the status (nil when there is none yet).
    public var statusDetail: StatusDetail?
    /// The email it resends and the emails it was resent as.
    public var links: ResendLinks

    public init(summary: EmailSummary, statusDetail: StatusDetail?, links: ResendLinks = ResendLinks()) {
        self.summary = summary
        self.statusDetail = statusDetail
        self.links = links
    }

    /// The provider's code and message, e.g. "550 5.1.1 User unknown"; a rejection's reason;
    /// empty when the provider has said nothing beyond the status.
    public var statusDetailText: String {
        guard let detail = statusDetail else { return "" }
        var parts: [String] = []
        if let code = detail.code { parts.append(String(code)) }
        if let enhanced = detail.enhancedCode, !enhanced.isEmpty { parts.append(enhanced) }
        let message = [detail.message, detail.description].compactMap { $0 }.first { !$0.isEmpty }
        if var message = message.map({ String($0.split(separator: "\n").first ?? "") }) {
            // Providers often repeat the enhanced code at the start of the message.
            if let enhanced = detail.enhancedCode, !enhanced.isEmpty, message.hasPrefix(enhanced + " ") {
                message.removeFirst(enhanced.count + 1)
            }
            parts.append(message)
        }
        if let reject = detail.rejectReason, !reject.isEmpty { parts.append(reject) }
        if parts.isEmpty, let reason = detail.reason, !reason.isEmpty, reason != "generic" { parts.append(reason) }
        let text = parts.joined(separator: " ")
        // A plain acceptance says nothing the status does not.
        return text == "250 OK" || text == "250" ? "" : TerminalText.singleLine(text)
    }

    /// What staff should do about the outcome (the View pop-up's advice).
    public var recommendedAction: String {
        RecommendedAction.advice(for: summary.status, detail: statusDetail)
    }
}

/// The columns of every export, in order.
public enum ExportColumn: Int, CaseIterable, Sendable {
    case id, dateTime, to, subject, raisedBy, status, statusDetail, activity, recommendedAction, resendLink

    /// The header text.
    public var title: String {
        switch self {
        case .id: "Id"
        case .dateTime: "Date"
        case .to: "To"
        case .subject: "Subject"
        case .raisedBy: "Raised by"
        case .status: "Status"
        case .statusDetail: "Status detail"
        case .activity: "Activity"
        case .recommendedAction: "Recommended action"
        case .resendLink: "Resend link"
        }
    }

    /// The cell as text (dates UK style in `format`'s zone), neutralised: no control characters.
    public func text(of row: ExportRow, format: UKDateFormat) -> String {
        let summary = row.summary
        switch self {
        case .id: return String(summary.id)
        case .dateTime: return format.dateTime(summary.createdAt)
        case .to: return ExportText.singleLine(summary.to)
        case .subject: return ExportText.singleLine(summary.subject)
        case .raisedBy: return ExportText.singleLine(summary.raisedByName)
        case .status: return summary.status.displayName
        case .statusDetail: return row.statusDetailText
        case .activity: return summary.activity.displayName
        case .recommendedAction: return row.recommendedAction
        case .resendLink: return row.links.text
        }
    }
}

/// The block above the table: which account, which filter, who produced it and when.
public struct ExportHeading: Sendable, Hashable {
    /// The account (agency) name as the store knows it.
    public var accountName: String
    /// The filter in words, as the screen's header says it.
    public var filterWords: String
    /// Who produced the export (the signed-in user).
    public var producedBy: String
    /// When the export was produced.
    public var producedAt: Date
    /// The zone every date and time of the export is in.
    public var timeZone: TimeZone

    public init(accountName: String, filterWords: String, producedBy: String, producedAt: Date, timeZone: TimeZone) {
        self.accountName = accountName
        self.filterWords = filterWords
        self.producedBy = producedBy
        self.producedAt = producedAt
        self.timeZone = timeZone
    }

    /// "Email Audit — Harbour Lets".
    public var title: String { "Email Audit — " + TerminalText.singleLine(accountName) }

    /// "Filter: Failed emails · Last 7 days".
    public var filterLine: String { "Filter: " + TerminalText.singleLine(filterWords) }

    /// "Produced by sam on 02/12/2026 17:05 (Europe/London)".
    public var producedLine: String {
        let who = producedBy.isEmpty ? "" : " by " + TerminalText.singleLine(producedBy)
        return "Produced\(who) on \(UKDateFormat(timeZone: timeZone).dateTime(producedAt)) (\(timeZone.identifier))"
    }

    /// The three lines, in order.
    public var lines: [String] { [title, filterLine, producedLine] }
}
