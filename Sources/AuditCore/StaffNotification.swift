import Foundation

/// One notification of a user: an email of their account first reached a problem status.
public struct StaffNotification: Sendable, Hashable, Codable {
    public var id: Int64
    /// The email the notification is about.
    public var emailID: Int64
    /// The status the email reached (Failed, Complained, Rejected or Unsubscribed).
    public var status: EmailStatus
    /// When the email reached it (the time of the provider's deciding event).
    public var raisedAt: Date
    /// When the user marked it read (nil: unread).
    public var readAt: Date?
    /// How it was delivered besides the screen.
    public var delivery: NotificationDelivery
    /// The email's subject, recipient and creation time.
    public var subject: String
    public var to: String
    public var emailCreatedAt: Date
    /// The provider's reason, in one line.
    public var reason: String

    public init(id: Int64, emailID: Int64, status: EmailStatus, raisedAt: Date, readAt: Date?, delivery: NotificationDelivery,
                subject: String, to: String, emailCreatedAt: Date, reason: String) {
        self.id = id
        self.emailID = emailID
        self.status = status
        self.raisedAt = raisedAt
        self.readAt = readAt
        self.delivery = delivery
        self.subject = subject
        self.to = to
        self.emailCreatedAt = emailCreatedAt
        self.reason = reason
    }

    /// Whether the user has not marked it read yet.
    public var isUnread: Bool { readAt == nil }
}

/// The rules of who is notified of what; the store applies them in the ingest transaction.
public enum NotificationRules {
    /// Whether an email of `activity` whose derived status has just become `status` raises
    /// notifications: only Failed, Complained, Rejected and Unsubscribed (never Temporary
    /// Failure), and never for an email this tool sent about another (``Activity/statusAlert``).
    public static func raises(_ status: EmailStatus, activity: Activity) -> Bool {
        status.raisesNotification && activity != .statusAlert
    }
}

/// What an email being notified about says, for the notification email and the digest.
public struct NotifiedEmail: Sendable, Hashable {
    public var emailID: Int64
    public var status: EmailStatus
    public var subject: String
    public var to: String
    public var createdAt: Date
    public var detail: StatusDetail?
    /// The recipient's contacts from Unit Search (names, roles and phone numbers).
    public var contacts: [UnitContactRow]

    public init(emailID: Int64, status: EmailStatus, subject: String, to: String, createdAt: Date, detail: StatusDetail?,
                contacts: [UnitContactRow]) {
        self.emailID = emailID
        self.status = status
        self.subject = subject
        self.to = to
        self.createdAt = createdAt
        self.detail = detail
        self.contacts = contacts
    }
}

/// The text of notification and digest emails.
public enum NotificationText {
    /// The sender of notification emails on an account's sending domain.
    public static func sender(domain: String) -> String {
        "Email Audit <notifications@\(domain.isEmpty ? "localhost" : domain)>"
    }

    /// "Failed: Payment received … to anna@example.com (#2878)".
    public static func subject(for email: NotifiedEmail) -> String {
        "\(email.status.displayName): \(TerminalText.singleLine(email.subject)) to \(email.to) (#\(email.emailID))"
    }

    /// The reason for the status in plain words: the status's meaning and the provider's reason.
    public static func reason(for email: NotifiedEmail) -> String {
        let summary = email.detail?.summary ?? ""
        return summary.isEmpty ? email.status.meaning : "\(email.status.meaning) The provider said: \(summary)"
    }

    /// One email's paragraph: id, subject, to, date, the reason, the recommended action and the
    /// recipient's phone numbers.
    public static func paragraph(for email: NotifiedEmail, timeZone: TimeZone) -> String {
        let format = UKDateFormat(timeZone: timeZone)
        var lines = [
            "Email #\(email.emailID): \(TerminalText.singleLine(email.subject))",
            "To: \(email.to)",
            "Sent: \(format.dateTime(email.createdAt))",
            "Status: \(email.status.displayName)",
            "Why: \(reason(for: email))",
            "What to do: \(RecommendedAction.advice(for: email.status, detail: email.detail))",
        ]
        if email.contacts.isEmpty {
            lines.append("Phone: no unit contact uses this address (Unit Search found none).")
        } else {
            lines.append("Phone (Unit Search):")
            var seen = Set<String>()
            for contact in email.contacts where seen.insert(contact.contactName + contact.phone).inserted {
                lines.append("  \(TerminalText.singleLine(contact.contactName)) (\(contact.contactRole.displayName), "
                             + "\(TerminalText.singleLine(contact.blockName)) \(TerminalText.singleLine(contact.unitName))): "
                             + TerminalText.singleLine(contact.phone))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The body of the email sent for one notification.
    public static func body(for email: NotifiedEmail, userName: String, timeZone: TimeZone) -> String {
        "Dear \(userName),\n\nAn email of your account needs attention.\n\n"
            + paragraph(for: email, timeZone: timeZone)
            + "\n\nOpen it with `email-audit show \(email.emailID)`, or on the Workbench (w).\n\nEmail Audit"
    }

    /// The subject of a user's digest for `day`.
    public static func digestSubject(day: CalendarDay, count: Int) -> String {
        "Email Audit digest for \(day.description): \(count) email\(count == 1 ? "" : "s") need\(count == 1 ? "s" : "") attention"
    }

    /// The body of a user's digest: every notification of the day, oldest first.
    public static func digestBody(day: CalendarDay, emails: [NotifiedEmail], userName: String, timeZone: TimeZone) -> String {
        "Dear \(userName),\n\nThese emails of your account reached a problem status on \(day.description):\n\n"
            + emails.map { paragraph(for: $0, timeZone: timeZone) }.joined(separator: "\n\n")
            + "\n\nEach is on the Workbench (w) too.\n\nEmail Audit"
    }
}

extension StaffUser {
    /// The name of each account's staff record that raises notification and digest emails.
    public static let systemName = "System"
}

/// The Workbench's Email Notification widget: Failed, Complained, Rejected and Unsubscribed
/// emails of the account on the previous day (in the configured zone).
public enum EmailNotificationWidget {
    /// The filter the widget counts and its Enter opens the Email Audit with, so the two agree.
    public static func filter(accountID: Int64?) -> EmailFilter {
        EmailFilter(accountID: accountID, statuses: Set(NotificationPreferences.notifiable), dateRange: .yesterday)
    }
}
