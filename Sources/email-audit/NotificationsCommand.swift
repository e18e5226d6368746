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
                let opened = try store.openOnEitherBackend(writing: true)
                defer { opened.close() }
                let reader = try signIn.reader(for: opened)
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
            let opened = try store.openOnEitherBackend(writing: false)
            defer { opened.close() }
            let reader = try signIn.reader(for: opened)
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
            let opened = try store.openOnEitherBackend(writing: true)
            defer { opened.close() }
            let now = try at.map { try parseNow($0, zone: opened.timeZone, option: "--at") } ?? Date()
            let sent: [DigestSent]
            do { sent = try opened.notificationStore.sendDigests(at: now) } catch { throw CLIError("\(error)") }
            Console.print("Recorded \(sent.count) digest email\(sent.count == 1 ? "" : "s") (Pending, raised by \(StaffUser.systemName)).")
            for digest in sent {
                Console.print("  \(digest.userName): \(digest.day), \(digest.notifications) notification\(digest.notifications == 1 ? "" : "s"), email \(digest.emailID)")
            }
        }
    }
}
