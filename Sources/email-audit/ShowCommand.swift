import ArgumentParser
import AuditCore
import AuditStore
import Export
import Foundation

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print one email: the copy, Status Details, Status Tracking, the advice and the linked units.")

    @OptionGroup var store: StoreOptions

    @Argument(help: "The email's id (the Id column of `email-audit query`).")
    var id: Int64?

    @Option(name: .customLong("message-id"),
            help: ArgumentHelp("Find the email by the provider's Message ID instead (one email per recipient).", valueName: "id"))
    var messageID: String?

    @Option(help: "text or json (json: one object; an array with --message-id).")
    var format = "text"

    @Flag(help: ArgumentHelp("Print the email's raw provider events instead: each event's JSON as the provider sent it, one after another, oldest first, each ending in a line break.",
                             discussion: "Only control characters other than line ends are replaced, as in the exports."))
    var raw = false

    @OptionGroup var signIn: SignInOptions

    func run() throws {
        let json = try TextOrJSON.isJSON(format)
        guard (id == nil) != (messageID == nil) else {
            throw CLIError(id == nil ? "give an email id, or --message-id ID" : "give an email id or --message-id, not both")
        }
        let opened = try store.openForReading()
        defer { opened.close() }
        let database = try signIn.reader(for: opened)
        var details: [EmailDetail] = []
        if let id {
            guard let detail = try database.detail(emailID: id) else { throw CLIError("no email with id \(id)") }
            details = [detail]
        } else if let messageID {
            let bare = messageID.trimmingCharacters(in: CharacterSet(charactersIn: "<> "))
            details = try database.emailIDs(messageID: bare).compactMap { try database.detail(emailID: $0) }
            guard !details.isEmpty else { throw CLIError("no email with Message ID \(TerminalText.singleLine(bare))") }
        }
        if raw {
            var output = StandardOutput()
            for detail in details {
                for event in try database.rawEvents(emailID: detail.email.id) { output.write(event + "\n") }
            }
            output.flush()
        } else if json {
            let objects = details.map { EmailReport.jsonObject(for: $0, timeZone: database.timeZone) }
            let value: Any = messageID == nil ? objects[0] : objects
            // One small pretty-printed document per command: Foundation's writer, where speed does not matter
            // (rows in bulk, `query --format json`, go through AuditCore's JSONWriter).
            let data = try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys])
            Console.print(DisplayText(lines: JSONSummaryWriter.escapingControls(String(decoding: data, as: UTF8.self))))
        } else {
            for (index, detail) in details.enumerated() {
                if index > 0 { Console.print("") }
                Console.print(EmailReport.text(for: detail, timeZone: database.timeZone), terminator: "")
            }
        }
    }
}

/// The plain-text report of one email, as `show` prints it. Every field is interpolated
/// into ``DisplayText``, so none reaches the terminal un-neutralised.
enum EmailReport {
    /// The same report as a JSON object (`show --format json`).
    static func jsonObject(for detail: EmailDetail, timeZone: TimeZone) -> [String: Any] {
        let format = UKDateFormat(timeZone: timeZone)
        let email = detail.email
        let iso = ISO8601DateFormatter()
        var object: [String: Any] = [
            "id": email.id,
            "from": email.from, "to": email.to, "cc": email.cc, "subject": email.subject,
            "created": iso.string(from: email.createdAt), "createdLocal": format.dateTime(email.createdAt),
            "raisedBy": email.raisedByName, "activity": email.activity.displayName,
            "status": email.status.displayName, "recommendedAction": detail.recommendedAction,
            "attachments": email.attachmentNames, "body": email.textBody,
            "notRecordedHere": email.isNotRecordedHere,
            "events": detail.events.map { event in
                ["at": iso.string(from: event.occurredAt), "atLocal": format.dateTimeSeconds(event.occurredAt),
                 "event": event.kind.rawValue, "description": StatusTracking.describe(event)] as [String: Any]
            },
            "units": detail.units.map { unit in
                ["block": unit.blockName, "unit": unit.unitName, "address": unit.address, "contact": unit.contactName,
                 "role": unit.contactRole.displayName, "phone": unit.phone] as [String: Any]
            },
        ]
        if let messageID = email.providerMessageID { object["messageId"] = messageID }
        if let original = detail.links.resendOf { object["resendOf"] = original }
        if !detail.links.resentAs.isEmpty { object["resentAs"] = detail.links.resentAs }
        if let old = detail.links.correctedFrom { object["correctedFrom"] = old }
        if let entry = detail.suppression {
            object["suppressed"] = ["kind": entry.kind.rawValue, "since": iso.string(from: entry.createdAt),
                                    "reason": entry.reason, "blockedEmails": entry.blockedEmails] as [String: Any]
        }
        if let info = email.statusDetail {
            var status: [String: Any] = [:]
            if let value = info.reason { status["reason"] = value }
            if let value = info.severity { status["severity"] = value.rawValue }
            if let value = info.code { status["code"] = value }
            if let value = info.enhancedCode { status["enhancedCode"] = value }
            if let value = info.message { status["message"] = value }
            if let value = info.description { status["description"] = value }
            if let value = info.mxHost { status["mxHost"] = value }
            if let value = info.attemptNumber { status["attempt"] = value }
            if let value = info.rejectReason { status["rejectReason"] = value }
            if let value = info.occurredAt { status["at"] = iso.string(from: value) }
            object["statusDetails"] = status
        }
        return object
    }

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
        if let entry = detail.suppression {
            var words = "\(entry.kind.displayName) since \(format.dateTime(entry.createdAt)), blocked \(entry.blockedEmails) later"
            if let request = entry.removalRequest { words += "; removal requested by \(request.requestedBy)" }
            field("Suppressed", "\(words)")
        }
        if !email.cc.isEmpty { field("Cc", "\(email.cc.joined(separator: ", "))") }
        field("Subject", "\(email.subject)")
        field("Created", "\(format.dateTime(email.createdAt))")
        field("Raised by", "\(email.raisedByName)")
        field("Activity", "\(email.activity.displayName)")
        field("Message id", email.providerMessageID.map { "\($0)" } ?? "(not yet handed to the provider)")
        if let original = detail.links.resendOf {
            let corrected = detail.links.correctedFrom.map { " (To corrected from \($0))" } ?? ""
            field("Resend of", "#\(original)\(corrected)")
        }
        if !detail.links.resentAs.isEmpty { field("Resent as", "\(detail.links.resentAs.map { "#\($0)" }.joined(separator: ", "))") }
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
