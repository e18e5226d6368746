import ArgumentParser
import AuditCore
import AuditEngine
import AuditStore
import Demo
import Export
import Foundation

/// `email-audit suppressions`: the signed-in account's suppression list, requests and removals.
struct SuppressionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suppressions",
        abstract: "The account's suppression list: list, request a removal, remove (support), history.",
        subcommands: [List.self, Request.self, Remove.self, History.self],
        defaultSubcommand: List.self)

    /// The options every subcommand shares.
    struct Common: ParsableArguments {
        @OptionGroup var store: StoreOptions
        @OptionGroup var signIn: SignInOptions

        @Option(help: "text or json.")
        var format = "text"

        func isJSON() throws -> Bool {
            try TextOrJSON.isJSON(format)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "Every suppressed address of the account, newest first, with how many later emails it blocked.")

        @OptionGroup var common: Common

        func run() throws {
            let json = try common.isJSON()
            let store = try common.store.openForReading()
            defer { store.close() }
            let reader = try common.signIn.reader(for: store)
            let entries = try reader.suppressions()
            let format = UKDateFormat(timeZone: reader.timeZone)
            if json {
                try SuppressionsCommand.printJSON(entries.map { SuppressionsCommand.object($0, format: format) })
                return
            }
            Console.print("Suppressed addresses of \(reader.account.name): \(entries.count)")
            for entry in entries {
                var line: DisplayText = "\(format.dateTime(entry.createdAt))  \(entry.kind.displayName.padding(toLength: 12, withPad: " ", startingAt: 0))  \(entry.address)  blocked \(entry.blockedEmails)"
                if let emailID = entry.emailID { line = line + "  email \(emailID)" }
                if let request = entry.removalRequest { line = line + "  removal requested by \(request.requestedBy)" }
                Console.print(line)
                Console.print("    \(entry.reason)")
            }
        }
    }

    struct Request: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "request", abstract: "Ask support to remove an address from the list, with a note.")

        @OptionGroup var common: Common
        @Argument(help: "The suppressed address.") var address: String
        @Option(help: "Why it should be removed (the recipient's words, who confirmed the address).") var note: String

        func run() throws {
            let json = try common.isJSON()
            guard !note.trimmingCharacters(in: .whitespaces).isEmpty else { throw CLIError("--note must say why") }
            let store = try common.store.openForChanging()
            defer { store.close() }
            let reader = try common.signIn.reader(for: store)
            do { try reader.requestSuppressionRemoval(address: address, note: note, at: Date()) } catch { throw CLIError("\(error)") }
            if json {
                try SuppressionsCommand.printJSON(SuppressionsCommand.change("requested", address: address, note: note, reader: reader))
            } else {
                Console.print("Removal of \(address) requested for support (\(reader.account.name)).")
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove", abstract: "Remove an address from the list (support only), with a reason; the provider sends to it again.")

        @OptionGroup var common: Common
        @Argument(help: "The suppressed address.") var address: String
        @Option(help: "Why it is removed.") var reason: String

        func run() throws {
            let json = try common.isJSON()
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw CLIError("--reason must say why") }
            let store = try common.store.openForChanging()
            defer { store.close() }
            let reader = try common.signIn.reader(for: store)
            guard reader.user.isSupport else {
                throw CLIError("removing a suppression needs the support role; \(reader.user.name) is staff (use `suppressions request`)")
            }
            do {
                // The demo's provider is the simulator saved in the store (SQLite or PostgreSQL, when
                // `seed` or `demo` made it): it is told too, so later sends go through.
                let at = Date()
                try SuppressionRemoval.removeTellingDemoSimulator(address, accountID: reader.account.id, savedIn: store.demoStore, at: at) {
                    try reader.removeSuppression(address: address, reason: reason, at: at)
                }
            } catch {
                throw CLIError("\(error)")
            }
            if json {
                try SuppressionsCommand.printJSON(SuppressionsCommand.change("removed", address: address, note: reason, reader: reader))
            } else {
                Console.print("Removed \(address) from the suppression list of \(reader.account.name).")
            }
        }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history", abstract: "Who added, asked to remove and removed an address, when and why.")

        @OptionGroup var common: Common
        @Argument(help: "The address.") var address: String

        func run() throws {
            let json = try common.isJSON()
            let store = try common.store.openForReading()
            defer { store.close() }
            let reader = try common.signIn.reader(for: store)
            let items = try reader.suppressionHistory(address: address)
            let format = UKDateFormat(timeZone: reader.timeZone)
            if json {
                try SuppressionsCommand.printJSON(items.map { item in
                    ["at": ISO8601DateFormatter().string(from: item.at), "atLocal": format.dateTime(item.at),
                     "action": item.action.rawValue, "by": item.by, "note": item.note] as [String: Any]
                })
                return
            }
            guard !items.isEmpty else { throw CLIError("\(address) has never been on the suppression list of \(reader.account.name)") }
            for item in items {
                Console.print("\(format.dateTime(item.at))  \(item.action.displayName)  by \(item.by)  \(item.note)")
            }
        }
    }

    static func object(_ entry: SuppressionEntry, format: UKDateFormat) -> [String: Any] {
        var object: [String: Any] = [
            "address": entry.address, "kind": entry.kind.rawValue, "since": ISO8601DateFormatter().string(from: entry.createdAt),
            "sinceLocal": format.dateTime(entry.createdAt), "reason": entry.reason, "blockedEmails": entry.blockedEmails,
        ]
        if let emailID = entry.emailID { object["emailId"] = emailID }
        if let request = entry.removalRequest {
            object["removalRequest"] = ["by": request.requestedBy, "at": ISO8601DateFormatter().string(from: request.requestedAt),
                                        "note": request.note]
        }
        return object
    }

    /// What a request or removal did, as `--format json` prints it.
    static func change(_ action: String, address: String, note: String, reader: any ReportingReader) -> [String: Any] {
        ["action": action, "address": address.lowercased(), "note": note, "account": reader.account.name, "by": reader.user.name]
    }

    static func printJSON(_ value: Any) throws {
        let data = try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        Console.print(DisplayText(lines: JSONSummaryWriter.escapingControls(String(decoding: data, as: UTF8.self))))
    }
}
