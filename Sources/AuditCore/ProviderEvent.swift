import Foundation

/// The kinds of provider event that can affect an email.
public enum EventKind: String, CaseIterable, Sendable, Codable, Hashable {
    case accepted, rejected, delivered, failed, opened, clicked, unsubscribed, complained, stored
}

/// How final a failure is.
public enum FailureSeverity: String, Sendable, Codable, Hashable {
    case temporary, permanent
}

/// The provider's account of one delivery attempt (Mailgun's `delivery-status`).
public struct DeliveryStatus: Sendable, Codable, Hashable {
    public var code: Int?
    public var enhancedCode: String?
    public var message: String?
    public var description: String?
    public var mxHost: String?
    public var attemptNumber: Int?
    public var retrySeconds: Int?

    public init(code: Int? = nil, enhancedCode: String? = nil, message: String? = nil, description: String? = nil,
                mxHost: String? = nil, attemptNumber: Int? = nil, retrySeconds: Int? = nil) {
        self.code = code
        self.enhancedCode = enhancedCode
        self.message = message
        self.description = description
        self.mxHost = mxHost
        self.attemptNumber = attemptNumber
        self.retrySeconds = retrySeconds
    }
}

/// One provider event about one recipient of one message, independent of the wire format.
public struct ProviderEvent: Sendable, Hashable {
    /// The identity used to store the event once. Mailgun only promises its event id
    /// is unique within a day, so the key combines it with the kind, recipient and UTC day.
    public var key: String
    /// The provider's own event id.
    public var providerEventID: String
    public var kind: EventKind
    public var occurredAt: Date
    public var severity: FailureSeverity?
    /// Mailgun's failure `reason` (`bounce`, `generic`, `old`, `suppress-bounce` ...).
    public var reason: String?
    public var delivery: DeliveryStatus?
    /// For rejected events: why the provider refused the request.
    public var rejectReason: String?
    /// For clicked events: the link followed.
    public var url: String?
    /// A bounce that arrived after the message had been delivered.
    public var isDelayedBounce: Bool

    public init(key: String, providerEventID: String, kind: EventKind, occurredAt: Date,
                severity: FailureSeverity? = nil, reason: String? = nil, delivery: DeliveryStatus? = nil,
                rejectReason: String? = nil, url: String? = nil, isDelayedBounce: Bool = false) {
        self.key = key
        self.providerEventID = providerEventID
        self.kind = kind
        self.occurredAt = occurredAt
        self.severity = severity
        self.reason = reason
        self.delivery = delivery
        self.rejectReason = rejectReason
        self.url = url
        self.isDelayedBounce = isDelayedBounce
    }

    /// Builds the dedupe key from the provider's event id, kind, recipient and the UTC day of the event.
    public static func makeKey(providerEventID: String, kind: String, recipient: String, occurredAt: Date) -> String {
        let day = PlausibleTime.clampedInt64((occurredAt.timeIntervalSince1970 / 86_400).rounded(.down))
        return "\(providerEventID)|\(kind)|\(recipient.lowercased())|\(day)"
    }

    /// Whether this event ends delivery with a failure: any permanent failure, or a
    /// temporary one whose reason is `old` (retries exhausted, whatever the severity says).
    public var isPermanentFailure: Bool {
        kind == .failed && (severity == .permanent || reason == "old")
    }

    /// Whether this is a failure the provider will retry.
    public var isTemporaryFailure: Bool {
        kind == .failed && !isPermanentFailure
    }

    /// The status this single event points to, before precedence is applied.
    public var indicatedStatus: EmailStatus? {
        switch kind {
        case .accepted: .accepted
        case .rejected: .rejected
        case .delivered: .delivered
        case .failed: isPermanentFailure ? .failed : .temporaryFailure
        case .opened: .opened
        case .clicked: .clicked
        case .unsubscribed: .unsubscribed
        case .complained: .complained
        case .stored: nil
        }
    }
}
