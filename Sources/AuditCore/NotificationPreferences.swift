import Foundation

/// Whose emails a user is notified about.
public enum NotificationScope: String, Sendable, Hashable, Codable, CaseIterable {
    /// Only the emails the user raised.
    case mine
    /// Every email of the user's account.
    case account

    /// The words the preferences pane and `prefs show` use.
    public var displayName: String {
        switch self {
        case .mine: "Emails I raised"
        case .account: "All of my account's emails"
        }
    }
}

/// How a user receives notifications.
public enum NotificationDelivery: String, Sendable, Hashable, Codable, CaseIterable {
    /// On the Workbench only (the header counts the unread ones).
    case screen
    /// On the Workbench, and an email for each.
    case email
    /// On the Workbench, and one email a day gathering the previous day's.
    case digest

    /// The words the preferences pane and `prefs show` use.
    public var displayName: String {
        switch self {
        case .screen: "On screen only"
        case .email: "An email for each"
        case .digest: "A daily digest email"
        }
    }
}

/// A user's notification settings.
public struct NotificationPreferences: Sendable, Hashable, Codable {
    /// The statuses the user is notified of (a subset of ``notifiable``).
    public var statuses: Set<EmailStatus>
    public var scope: NotificationScope
    public var delivery: NotificationDelivery
    /// The local hour (0–23, in the configured time zone) the daily digest is sent at.
    public var digestHour: Int

    public init(statuses: Set<EmailStatus>, scope: NotificationScope, delivery: NotificationDelivery, digestHour: Int) {
        self.statuses = statuses.filter(\.raisesNotification)
        self.scope = scope
        self.delivery = delivery
        self.digestHour = max(0, min(23, digestHour))
    }

    /// The statuses that raise notifications, in the order they are listed.
    public static let notifiable: [EmailStatus] = [.failed, .complained, .rejected, .unsubscribed]

    /// What a user has until they change it: all four statuses, the emails they raised, on screen,
    /// a digest at 08:00.
    public static let standard = NotificationPreferences(statuses: Set(notifiable), scope: .mine, delivery: .screen, digestHour: 8)

    /// Whether a change of an email raised by staff member `raisedByID` to `status` is for a user
    /// whose staff record is `userStaffID`, by these preferences.
    public func wants(_ status: EmailStatus, raisedByID: Int64, userStaffID: Int64?) -> Bool {
        guard statuses.contains(status) else { return false }
        switch scope {
        case .account: return true
        case .mine: return userStaffID == raisedByID
        }
    }

    /// The statuses as the command line spells them, in ``notifiable`` order ("failed,complained").
    public var statusArgument: String {
        Self.notifiable.filter(statuses.contains).map(\.argumentName).joined(separator: ",")
    }

    /// Parses a comma-separated list of the four statuses ("failed,complained"); nil names the
    /// first word that is not one of them.
    public static func parseStatuses(_ text: String) -> Result<Set<EmailStatus>, NotificationPreferenceError> {
        var result: Set<EmailStatus> = []
        for word in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !word.isEmpty {
            guard let status = EmailStatus(parsing: word), status.raisesNotification else {
                return .failure(.notNotifiable(word))
            }
            result.insert(status)
        }
        return .success(result)
    }
}

/// A preference value that cannot be used.
public enum NotificationPreferenceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A status that does not raise notifications (or no status at all).
    case notNotifiable(String)

    public var description: String {
        switch self {
        case .notNotifiable(let word):
            "'\(TerminalText.singleLine(word))' is not a status notifications are raised for; use failed, complained, rejected or unsubscribed"
        }
    }
}
