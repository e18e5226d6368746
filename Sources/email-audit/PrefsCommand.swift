import ArgumentParser
import AuditCore
import AuditEngine
import AuditStore
import Foundation

/// `email-audit prefs`: the signed-in user's notification preferences.
struct PrefsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prefs",
        abstract: "Your notification preferences: which statuses, whose emails, how they reach you.",
        subcommands: [Show.self, Set.self],
        defaultSubcommand: Show.self)

    static func describe(_ preferences: NotificationPreferences, reader: any ReportingReader) -> [String] {
        [
            "Notification preferences of \(reader.user.name) (\(reader.account.name))",
            "  Statuses:    \(preferences.statuses.isEmpty ? "none" : NotificationPreferences.notifiable.filter(preferences.statuses.contains).map(\.displayName).joined(separator: ", "))",
            "  Scope:       \(preferences.scope.displayName) (\(preferences.scope.rawValue))",
            "  Delivery:    \(preferences.delivery.displayName) (\(preferences.delivery.rawValue))",
            "  Digest hour: \(String(format: "%02d:00", preferences.digestHour)) \(reader.timeZone.identifier)",
        ]
    }

    static func object(_ preferences: NotificationPreferences, reader: any ReportingReader) -> [String: Any] {
        ["user": reader.user.name, "account": reader.account.name,
         "statuses": NotificationPreferences.notifiable.filter(preferences.statuses.contains).map(\.argumentName),
         "scope": preferences.scope.rawValue, "delivery": preferences.delivery.rawValue, "digestHour": preferences.digestHour,
         "timeZone": reader.timeZone.identifier]
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Your notification preferences.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var signIn: SignInOptions
        @Option(help: "text or json.") var format = "text"

        func run() throws {
            let json = try TextOrJSON.isJSON(format)
            let opened = try store.openOnEitherBackend(writing: false)
            defer { opened.close() }
            let reader = try signIn.reader(for: opened)
            let preferences = try reader.notificationPreferences()
            if json {
                try SuppressionsCommand.printJSON(PrefsCommand.object(preferences, reader: reader))
            } else {
                for line in PrefsCommand.describe(preferences, reader: reader) { Console.print(DisplayText(line)) }
            }
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Change your notification preferences (the options not given stay as they are).")

        @OptionGroup var store: StoreOptions
        @OptionGroup var signIn: SignInOptions

        @Option(help: ArgumentHelp("The statuses to be notified of, comma-separated: failed, complained, rejected, unsubscribed (or none).", valueName: "list"))
        var statuses: String?

        @Option(help: "Whose emails: mine (the emails you raised) or account (all of your account's).")
        var scope: NotificationScope?

        @Option(help: "screen (on screen only), email (an email for each) or digest (one email a day).")
        var delivery: NotificationDelivery?

        @Option(name: .customLong("digest-hour"), help: ArgumentHelp("The hour the daily digest is sent (0-23, or HH:00), in the configured time zone.", valueName: "hour"))
        var digestHour: String?

        @Option(help: "text or json.") var format = "text"

        func run() throws {
            let json = try TextOrJSON.isJSON(format)
            guard statuses != nil || scope != nil || delivery != nil || digestHour != nil else {
                throw CLIError("nothing to set; give --statuses, --scope, --delivery or --digest-hour")
            }
            var chosen: Swift.Set<EmailStatus>?
            if let statuses {
                if statuses.trimmingCharacters(in: .whitespaces).lowercased() == "none" {
                    chosen = []
                } else {
                    switch NotificationPreferences.parseStatuses(statuses) {
                    case .success(let parsed) where !parsed.isEmpty: chosen = parsed
                    case .success: throw CLIError("--statuses names no status; use failed, complained, rejected, unsubscribed or none")
                    case .failure(let problem): throw CLIError("--statuses: \(problem)")
                    }
                }
            }
            let hour = try digestHour.map(Self.parseHour)
            let opened = try store.openOnEitherBackend(writing: true)
            defer { opened.close() }
            let reader = try signIn.reader(for: opened)
            var preferences = try reader.notificationPreferences()
            if let chosen { preferences.statuses = chosen }
            if let scope { preferences.scope = scope }
            if let delivery { preferences.delivery = delivery }
            if let hour { preferences.digestHour = hour }
            do { try reader.setNotificationPreferences(preferences) } catch { throw CLIError("\(error)") }
            if json {
                try SuppressionsCommand.printJSON(PrefsCommand.object(preferences, reader: reader))
            } else {
                Console.print("Saved.")
                for line in PrefsCommand.describe(preferences, reader: reader) { Console.print(DisplayText(line)) }
            }
        }

        /// "8", "08" or "08:00" → 8; anything else is a one-line error.
        static func parseHour(_ text: String) throws -> Int {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            let hourPart = trimmed.hasSuffix(":00") ? String(trimmed.dropLast(3)) : trimmed
            guard let hour = Int(hourPart), (0...23).contains(hour), hourPart.allSatisfy(\.isNumber) else {
                throw CLIError("--digest-hour '\(text)' is not an hour; use 0 to 23 (or HH:00)")
            }
            return hour
        }
    }
}
