import ArgumentParser
import AuditCore
import AuditStore
import Foundation

/// `email-audit resend ID [--to ADDRESS] [--update-contacts]`: the email again, as a new one
/// raised by the signed-in user, recorded Pending for the batch hand-over.
struct ResendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resend",
        abstract: "Resend an email as a new one (same content and attachments), to its address or a corrected one.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var signIn: SignInOptions

    @Argument(help: "The email's id (the Id column of `email-audit query`).")
    var id: Int64

    @Option(help: ArgumentHelp("Send it to this address instead (a corrected To).", valueName: "address"))
    var to: String?

    @Flag(name: .customLong("update-contacts"),
          help: "Also change the account's contact records (Unit Search) that use the old address to the new one (needs --to).")
    var updateContacts = false

    @Option(help: "text or json.")
    var format = "text"

    func run() throws {
        // Validate everything before touching the store.
        let json = try TextOrJSON.isJSON(format)
        if let to, EmailAddress.typed(to) == nil { throw CLIError("\(ResendRefusal.invalidAddress(to))") }
        if updateContacts, to == nil { throw CLIError("--update-contacts needs --to with the corrected address; nothing was sent") }
        let opened = try store.openForChanging()
        defer { opened.close() }
        let reader = try signIn.reader(for: opened)
        let outcome: ResendOutcome
        do {
            outcome = try reader.resend(emailID: id, to: to, updateContacts: updateContacts, at: Date())
        } catch ResendRefusal.suppressed(let entry) {
            throw CLIError(ResendRefusal.suppressedLine(entry, timeZone: reader.timeZone))
        } catch {
            throw CLIError("\(error)")
        }
        if json {
            let object: [String: Any] = [
                "id": outcome.newEmailID, "resendOf": outcome.originalID, "to": outcome.to, "originalTo": outcome.originalTo,
                "status": EmailStatus.pending.displayName, "contactsUpdated": outcome.contactsUpdated,
                "raisedBy": reader.user.name, "account": reader.account.name,
            ]
            try SuppressionsCommand.printJSON(object)
            return
        }
        Console.print("\(outcome.newEmailID)")
        var words: DisplayText = "Resent email \(outcome.originalID) as \(outcome.newEmailID) to \(outcome.to) (Pending: handed to the provider with the next batch)"
        if outcome.addressChanged {
            words = words + "; \(outcome.contactsUpdated) contact record\(outcome.contactsUpdated == 1 ? "" : "s") changed from \(outcome.originalTo)"
        }
        Console.printError(words)
    }
}
