import Foundation

/// Why an address is on the suppression list.
public enum SuppressionKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// The address hard-bounced (the mailbox does not exist).
    case bounce
    /// The recipient marked an email as spam.
    case complaint
    /// The recipient unsubscribed.
    case unsubscribe

    public var displayName: String {
        switch self {
        case .bounce: "Bounced"
        case .complaint: "Complained"
        case .unsubscribe: "Unsubscribed"
        }
    }

    /// The suppression an event puts on its recipient's address, following the provider's
    /// rules: hard bounces (reason `bounce`), complaints and unsubscribes. Soft bounces,
    /// expired retries (`old`), policy blocks and failures caused by an existing
    /// suppression do not add an entry.
    public static func added(by event: ProviderEvent) -> SuppressionKind? {
        switch event.kind {
        case .complained: return .complaint
        case .unsubscribed: return .unsubscribe
        case .failed where event.isPermanentFailure && event.reason == "bounce": return .bounce
        default: return nil
        }
    }
}

/// One address on an account's suppression list.
public struct SuppressionEntry: Sendable, Hashable, Codable {
    public var address: String
    public var kind: SuppressionKind
    public var createdAt: Date
    /// The provider's words when the address was added.
    public var reason: String
    /// The email whose event put the address on the list, when known.
    public var emailID: Int64?
    /// How many later emails of the account to the address failed because of it (Mailgun 605, 606, 607).
    public var blockedEmails: Int
    /// An open request to remove the entry, if someone asked.
    public var removalRequest: SuppressionRequest?

    public init(address: String, kind: SuppressionKind, createdAt: Date, reason: String, emailID: Int64? = nil,
                blockedEmails: Int = 0, removalRequest: SuppressionRequest? = nil) {
        self.address = address
        self.kind = kind
        self.createdAt = createdAt
        self.reason = reason
        self.emailID = emailID
        self.blockedEmails = blockedEmails
        self.removalRequest = removalRequest
    }
}

/// Someone's request that support remove a suppression.
public struct SuppressionRequest: Sendable, Hashable, Codable {
    public var requestedBy: String
    public var requestedAt: Date
    public var note: String
    public init(requestedBy: String, requestedAt: Date, note: String) {
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
        self.note = note
    }
}

/// What happened to a suppression entry, for its trail.
public enum SuppressionAction: String, Sendable, Hashable, Codable, CaseIterable {
    /// The provider put the address on the list.
    case added
    /// Someone asked support to remove it.
    case requested
    /// Support removed it.
    case removed

    public var displayName: String {
        switch self {
        case .added: "Added"
        case .requested: "Removal requested"
        case .removed: "Removed"
        }
    }
}

/// One line of a suppression entry's trail: who did what, when and why.
public struct SuppressionHistoryItem: Sendable, Hashable, Codable {
    public var at: Date
    public var action: SuppressionAction
    /// The user who acted ("Provider" for an entry the provider added).
    public var by: String
    /// The reason, note or provider reason.
    public var note: String
    public init(at: Date, action: SuppressionAction, by: String, note: String) {
        self.at = at
        self.action = action
        self.by = by
        self.note = note
    }
}
