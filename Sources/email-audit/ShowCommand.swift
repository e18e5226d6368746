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
        print(EmailReport.text(for: detail, timeZone: database.timeZone), terminator: "")
    }
}

/// The plain-text report of one email, as `show` prints it.
enum EmailReport {
    static func text(for detail: EmailDetail, timeZone: TimeZone) -> String {
        let format = UKDateFormat(timeZone: timeZone)
        let email = detail.email
        let clean = TerminalText.singleLine
        var lines: [String] = []
        func field(_ name: String, _ value: String) {
            lines.append(name.padding(toLength: 14, withPad: " ", startingAt: 0) + value)
        }
        lines.append("Email \(email.id)")
        field("From", clean(email.from))
        field("To", clean(email.to))
        if !email.cc.isEmpty { field("Cc", clean(email.cc.joined(separator: ", "))) }
        field("Subject", clean(email.subject))
        field("Created", format.dateTime(email.createdAt))
        field("Raised by", clean(email.raisedByName))
        field("Activity", email.activity.displayName)
        field("Message id", email.providerMessageID.map(clean) ?? "(not yet handed to the provider)")
        if !email.attachmentNames.isEmpty { field("Attachments", clean(email.attachmentNames.joined(separator: ", "))) }
        lines.append("")
        lines.append("Status Details")
        field("Status", email.status.displayName)
        if let status = email.statusDetail {
            if let reason = status.reason { field("Reason", clean(reason)) }
            if let severity = status.severity { field("Severity", severity.rawValue) }
            if status.code != nil || status.enhancedCode != nil {
                field("Code", [status.code.map(String.init), status.enhancedCode].compactMap { $0 }.joined(separator: " "))
            }
            if let message = status.message, !message.isEmpty { field("Message", clean(message)) }
            if let description = status.description, !description.isEmpty { field("Description", clean(description)) }
            if let reject = status.rejectReason, !reject.isEmpty { field("Rejected", clean(reject)) }
            if let mx = status.mxHost, !mx.isEmpty { field("MX host", clean(mx)) }
            if let attempt = status.attemptNumber { field("Attempt", String(attempt)) }
        }
        lines.append("")
        lines.append("Recommended action")
        lines.append("  " + detail.recommendedAction)
        lines.append("")
        lines.append("Status Tracking")
        if detail.events.isEmpty { lines.append("  (no provider events yet)") }
        for event in detail.events {
            lines.append("  " + format.dateTimeSeconds(event.occurredAt) + "  " + StatusTracking.describe(event))
        }
        lines.append("")
        lines.append("Units using \(clean(email.to))")
        if detail.units.isEmpty { lines.append("  (no unit's contacts use this address)") }
        for unit in detail.units {
            lines.append("  " + [unit.blockName, unit.unitName, unit.address, unit.contactName, unit.contactRole.displayName, unit.phone]
                .map(clean).joined(separator: " · "))
        }
        lines.append("")
        lines.append("Body")
        lines.append(contentsOf: TerminalText.lines(email.textBody).map { "  " + $0 })
        return lines.joined(separator: "\n") + "\n"
    }
}
