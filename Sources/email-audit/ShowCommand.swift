import ArgumentParser
import AuditCore
import AuditStore
import Foundation

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print one email: the copy, Status Details, Status Tracking, the advice and the linked units.")

    @OptionGroup var store: StoreOptions

    @Argument(help: "The email's id (the Id column of `email-audit query`).")
    var id: Int64

    func run() throws {
        let database = try store.openExistingStore()
        guard let detail = try database.detail(emailID: id) else {
            throw CLIError("no email with id \(id)")
        }
        Console.print(EmailReport.text(for: detail, timeZone: database.timeZone), terminator: "")
    }
}

/// The plain-text report of one email, as `show` prints it. Every field is interpolated
/// into ``DisplayText``, so none reaches the terminal un-neutralised.
enum EmailReport {
    static func text(for detail: EmailDetail, timeZone: TimeZone) -> DisplayText {
        let format = UKDateFormat(timeZone: timeZone)
        let email = detail.email
        var lines: [DisplayText] = []
        func field(_ name: String, _ value: DisplayText) {
            lines.append("\(name.padding(toLength: 14, withPad: " ", startingAt: 0))\(value)")
        }
        lines.append("Email \(email.id)")
        field("From", "\(email.from)")
        field("To", "\(email.to)")
        if !email.cc.isEmpty { field("Cc", "\(email.cc.joined(separator: ", "))") }
        field("Subject", "\(email.subject)")
        field("Created", "\(format.dateTime(email.createdAt))")
        field("Raised by", "\(email.raisedByName)")
        field("Activity", "\(email.activity.displayName)")
        field("Message id", email.providerMessageID.map { "\($0)" } ?? "(not yet handed to the provider)")
        if !email.attachmentNames.isEmpty { field("Attachments", "\(email.attachmentNames.joined(separator: ", "))") }
        lines.append("")
        lines.append("Status Details")
        field("Status", "\(email.status.displayName)")
        if let status = email.statusDetail {
            if let reason = status.reason { field("Reason", "\(reason)") }
            if let severity = status.severity { field("Severity", "\(severity.rawValue)") }
            if status.code != nil || status.enhancedCode != nil {
                field("Code", "\([status.code.map(String.init), status.enhancedCode].compactMap { $0 }.joined(separator: " "))")
            }
            if let message = status.message, !message.isEmpty { field("Message", "\(message)") }
            if let description = status.description, !description.isEmpty { field("Description", "\(description)") }
            if let reject = status.rejectReason, !reject.isEmpty { field("Rejected", "\(reject)") }
            if let mx = status.mxHost, !mx.isEmpty { field("MX host", "\(mx)") }
            if let attempt = status.attemptNumber { field("Attempt", "\(attempt)") }
        }
        lines.append("")
        lines.append("Recommended action")
        lines.append("  \(detail.recommendedAction)")
        lines.append("")
        lines.append("Status Tracking")
        if detail.events.isEmpty { lines.append("  (no provider events yet)") }
        for event in detail.events {
            lines.append("  \(format.dateTimeSeconds(event.occurredAt))  \(StatusTracking.describe(event))")
        }
        lines.append("")
        lines.append("Units using \(email.to)")
        if detail.units.isEmpty { lines.append("  (no unit's contacts use this address)") }
        for unit in detail.units {
            let parts = [unit.blockName, unit.unitName, unit.address, unit.contactName, unit.contactRole.displayName, unit.phone]
            lines.append("  " + parts.map { DisplayText($0) }.joined(separator: " · "))
        }
        lines.append("")
        lines.append("Body")
        for line in TerminalText.lines(email.textBody) { lines.append("  \(line)") }
        return lines.joined(separator: "\n") + "\n"
    }
}
