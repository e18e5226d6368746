import ArgumentParser
import AuditCore
import AuditEngine
import AuditStore
import Foundation

/// `email-audit notifications`: the signed-in user's notifications, marking them read, and the
/// daily digests.
struct NotificationsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifications",
        abstract: "Your notifications (emails of your account that became Failed, Complained, Rejected or Unsubscribed); mark them read; send the daily digests.",
        subcommands: [List.self, SendDigests.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "Your notifications, newest first (* marks unread); --mark-read ID or --all marks them read.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var signIn: SignInOptions

        @Flag(help: "Only the unread ones.")
        var unread = false

        @Option(name: .customLong("mark-read"), help: ArgumentHelp("Mark this notification read (its id, as listed).", valueName: "id"))
        var markRead: [Int64] = []

        @Flag(help: "Mark every notification read.")
        var all = false

        @Option(help: "text or json.")
        var format = "text"

        func run() throws {
            let json = try TextOrJSON.isJSON(format)
            if all && !markRead.isEmpty { throw CLIError("use --mark-read ID or --all, not both") }
            if let bad = markRead.first(where: { $0 <= 0 }) { throw CLIError("--mark-read \(bad) is not a notification id") }
            if all || !markRead.isEmpty {
                let reader = try signIn.reader(for: try store.openExistingStoreForWriting())
                let marked: Int
                do { marked = try reader.markNotificationsRead(ids: all ? nil : markRead) } catch { throw CLIError("\(error)") }
                let unreadNow = try reader.unreadNotificationCount()
                if json {
                    try SuppressionsCommand.printJSON(["marked": marked, "unread": unreadNow, "user": reader.user.name,
                                                       "account": reader.account.name] as [String: Any])
                } else {
                    Console.print("Marked \(marked) notification\(marked == 1 ? "" : "s") read; \(unreadNow) unread.")
                }
                return
            }
            let reader = try signIn.reader(for: try store.openExistingStore())
            let items = try reader.notifications(unreadOnly: unread)
            let format = UKDateFormat(timeZone: reader.timeZone)
            if json {
                try SuppressionsCommand.printJSON(items.map { Self.object($0, format: format) })
                return
            }
            let unreadCount = try reader.unreadNotificationCount()
            Console.print("Notifications of \(reader.user.name) in \(reader.account.name): \(items.count)\(unread ? " unread" : ", \(unreadCount) unread")")
            for item in items {
                let status = item.status.displayName.padding(toLength: 12, withPad: " ", startingAt: 0)
                Console.print("\(item.isUnread ? "*" : " ") \(item.id)  \(format.dateTime(item.raisedAt))  \(status)  email \(item.emailID)  \(item.to)  \(item.subject)")
                Console.print("    \(item.reason)")
            }
        }

        static func object(_ item: StaffNotification, format: UKDateFormat) -> [String: Any] {
            var object: [String: Any] = [
                "id": item.id, "emailId": item.emailID, "status": item.status.displayName,
                "raisedAt": ISO8601DateFormatter().string(from: item.raisedAt), "raisedAtLocal": format.dateTime(item.raisedAt),
                "unread": item.isUnread, "delivery": item.delivery.rawValue, "subject": item.subject, "to": item.to,
                "emailCreatedAt": ISO8601DateFormatter().string(from: item.emailCreatedAt), "reason": item.reason,
            ]
            if let readAt = item.readAt { object["readAt"] = ISO8601DateFormatter().string(from: readAt) }
            return object
        }
    }

    struct SendDigests: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "send-digests",
            abstract: "Record the daily digest emails that are due (each user's day once; the batch hand-over sends them). serve and demo do this by themselves.")

        @OptionGroup var store: StoreOptions

        @Option(help: ArgumentHelp("Act as if it were this time (dd/mm/yyyy HH:mm in the time zone, or ISO 8601); default now.", valueName: "time"))
        var at: String?

        func run() throws {
            let database = try store.openExistingStoreForWriting()
            let now = try at.map { try parseNow($0, zone: database.timeZone, option: "--at") } ?? Date()
            let sent = try database.sendDigests(at: now)
            Console.print("Recorded \(sent.count) digest email\(sent.count == 1 ? "" : "s") (Pending, raised by \(StaffUser.systemName)).")
            for digest in sent {
                Console.print("  \(digest.userName): \(digest.day), \(digest.notifications) notification\(digest.notifications == 1 ? "" : "s"), email \(digest.emailID)")
            }
        }
    }
}

extension NotificationScope: ExpressibleByArgument {
    public var defaultValueDescription: String { rawValue }
    /// What each scope means, under `--scope` in `--help`.
    public static var allValueDescriptions: [String: String] {
        Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0.displayName) })
    }
}

extension NotificationDelivery: ExpressibleByArgument {
    public var defaultValueDescription: String { rawValue }
    /// What each delivery means, under `--delivery` in `--help`.
    public static var allValueDescriptions: [String: String] {
        Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0.displayName) })
    }
}

/// `email-audit prefs`: the signed-in user's notification preferences.
struct PrefsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prefs",
        abstract: "Your notification preferences: which statuses, whose emails, how they reach you.",
        subcommands: [Show.self, Set.self],
        defaultSubcommand: Show.self)

    static func describe(_ preferences: NotificationPreferences, reader: AccountScopedReader) -> [String] {
        [
            "Notification preferences of \(reader.user.name) (\(reader.account.name))",
            "  Statuses:    \(preferences.statuses.isEmpty ? "none" : NotificationPreferences.notifiable.filter(preferences.statuses.contains).map(\.displayName).joined(separator: ", "))",
            "  Scope:       \(preferences.scope.displayName) (\(preferences.scope.rawValue))",
            "  Delivery:    \(preferences.delivery.displayName) (\(preferences.delivery.rawValue))",
            "  Digest hour: \(String(format: "%02d:00", preferences.digestHour)) \(reader.timeZone.identifier)",
        ]
    }

    static func object(_ preferences: NotificationPreferences, reader: AccountScopedReader) -> [String: Any] {
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
            let reader = try signIn.reader(for: try store.openExistingStore())
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
            let reader = try signIn.reader(for: try store.openExistingStoreForWriting())
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
