import AuditCore
import Foundation

/// Writes email summaries in one format, row by row, so any range streams in constant memory.
public protocol SummaryWriter {
    /// Called once before the first row.
    mutating func begin(into output: inout some TextOutputStream)
    /// Called for each summary, newest first.
    mutating func write(_ summary: EmailSummary, into output: inout some TextOutputStream)
    /// Called once after the last row.
    mutating func end(into output: inout some TextOutputStream)
    /// Called instead of ``write(_:into:)`` when the caller has the row's extras.
    mutating func write(_ summary: EmailSummary, extras: SummaryExtras, into output: inout some TextOutputStream)
    /// Whether the format carries ``SummaryExtras`` (worth reading them from the store).
    var carriesExtras: Bool { get }
}

/// What an export adds to a summary row: the provider's Status Details and the advice.
public struct SummaryExtras: Sendable, Hashable {
    public var statusDetail: StatusDetail?
    public var recommendedAction: String
    /// The email it resends and the emails it was resent as.
    public var links: ResendLinks

    public init(statusDetail: StatusDetail?, recommendedAction: String, links: ResendLinks = ResendLinks()) {
        self.statusDetail = statusDetail
        self.recommendedAction = recommendedAction
        self.links = links
    }

    /// The extras of a summary from its Status Details and resend links.
    public init(summary: EmailSummary, statusDetail: StatusDetail?, links: ResendLinks = ResendLinks()) {
        self.init(statusDetail: statusDetail,
                  recommendedAction: RecommendedAction.advice(for: summary.status, detail: statusDetail,
                                                              notRecordedHere: summary.activity == .external),
                  links: links)
    }

    /// "550 5.1.1" (SMTP code and enhanced code), empty without either.
    public var code: String {
        [statusDetail?.code.map(String.init), statusDetail?.enhancedCode].compactMap { $0 }.joined(separator: " ")
    }

    /// The provider's message (else its description or reject reason), on one line.
    public var message: String {
        let text = [statusDetail?.message, statusDetail?.description, statusDetail?.rejectReason]
            .compactMap { $0 }.first { !$0.isEmpty } ?? ""
        return TerminalText.singleLine(text)
    }
}

extension SummaryWriter {
    /// Writes a row with its extras; formats without room for them write the summary alone.
    public mutating func write(_ summary: EmailSummary, extras: SummaryExtras, into output: inout some TextOutputStream) {
        write(summary, into: &output)
    }

    public var carriesExtras: Bool { false }
}

/// The output formats of `email-audit query`.
public enum SummaryFormat: String, CaseIterable, Sendable {
    case table, json, csv

    /// A writer for this format: a table of `width` columns (nil: cells are never cut);
    /// `ascii` transliterates the table (CSV and JSON are always UTF-8).
    public func makeWriter(timeZone: TimeZone, width: Int? = 120, ascii: Bool = false) -> any SummaryWriter {
        switch self {
        case .table: TableSummaryWriter(timeZone: timeZone, width: width, ascii: ascii)
        case .json: JSONSummaryWriter(timeZone: timeZone)
        case .csv: CSVSummaryWriter(timeZone: timeZone)
        }
    }
}
