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

/// One address on the suppression list.
public struct SuppressionEntry: Sendable, Hashable, Codable {
    public var address: String
    public var kind: SuppressionKind
    public var createdAt: Date
    /// The provider's words when the address was added.
    public var reason: String

    public init(address: String, kind: SuppressionKind, createdAt: Date, reason: String) {
        self.address = address
        self.kind = kind
        self.createdAt = createdAt
        self.reason = reason
    }
}
