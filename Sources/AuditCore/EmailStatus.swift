import Foundation

/// The ten statuses an email can show, from the staff member's point of view.
///
/// A status is never stored by hand: it is always the result of
/// ``StatusDerivation/derive(_:)`` over the email's provider events.
public enum EmailStatus: String, CaseIterable, Sendable, Codable, Hashable, Comparable {
    case pending
    case accepted
    case delivered
    case opened
    case clicked
    case temporaryFailure
    case failed
    case complained
    case unsubscribed
    case rejected

    /// The label staff see ("Temporary Failure").
    public var displayName: String {
        switch self {
        case .pending: "Pending"
        case .accepted: "Accepted"
        case .delivered: "Delivered"
        case .opened: "Opened"
        case .clicked: "Clicked"
        case .temporaryFailure: "Temporary Failure"
        case .failed: "Failed"
        case .complained: "Complained"
        case .unsubscribed: "Unsubscribed"
        case .rejected: "Rejected"
        }
    }

    /// A stable small integer used as the storage code. Never renumber.
    public var code: Int {
        switch self {
        case .pending: 0
        case .accepted: 1
        case .delivered: 2
        case .opened: 3
        case .clicked: 4
        case .temporaryFailure: 5
        case .failed: 6
        case .complained: 7
        case .unsubscribed: 8
        case .rejected: 9
        }
    }

    /// The status stored under `code`, if any.
    public init?(code: Int) {
        guard let match = EmailStatus.allCases.first(where: { $0.code == code }) else { return nil }
        self = match
    }

    /// Parses a status name case-insensitively, accepting spaces, hyphens or
    /// underscores between words ("Temporary Failure", "temporary-failure", "TEMPORARY_FAILURE").
    public init?(parsing text: String) {
        let key = text.lowercased().filter { $0.isLetter }
        guard let match = EmailStatus.allCases.first(where: {
            $0.displayName.lowercased().filter(\.isLetter) == key
        }) else { return nil }
        self = match
    }

    /// The command-line spelling ("temporary-failure").
    public var argumentName: String {
        displayName.lowercased().replacingOccurrences(of: " ", with: "-")
    }

    /// What the status means for the person who raised the email.
    public var tone: StatusTone {
        switch self {
        case .delivered, .opened, .clicked: .ok
        case .pending, .accepted, .temporaryFailure: .warning
        case .failed, .rejected, .complained: .error
        case .unsubscribed: .muted
        }
    }

    /// Whether reaching this status raises a notification for staff.
    public var raisesNotification: Bool {
        switch self {
        case .failed, .complained, .rejected, .unsubscribed: true
        default: false
        }
    }

    /// The statuses that need someone to act, most serious first: the status line always
    /// shows their counts before the others.
    public static let problems: [EmailStatus] = [.failed, .complained, .rejected, .unsubscribed, .temporaryFailure]

    /// The Problems preset: the statuses that raise a notification (Failed, Complained,
    /// Rejected, Unsubscribed).
    public static var problemPreset: Set<EmailStatus> { Set(allCases.filter(\.raisesNotification)) }

    /// The statuses of an email that did not reach the recipient's mailbox (the header calls
    /// a filter of exactly these "not delivered").
    public static let notDelivered: Set<EmailStatus> = [.temporaryFailure, .failed, .rejected]

    /// One sentence explaining the status, as shown in help and the README.
    public var meaning: String {
        switch self {
        case .pending: "Recorded, waiting for the batch hand-over to the provider (up to 10 minutes)."
        case .accepted: "The provider has queued the email for delivery."
        case .delivered: "The recipient's mail server accepted the email."
        case .opened: "The recipient opened the email (or their mail app fetched its images)."
        case .clicked: "The recipient followed a link in the email."
        case .temporaryFailure: "Delivery failed for now; the provider keeps retrying for about 8 hours."
        case .failed: "Delivery failed permanently; the email did not arrive."
        case .complained: "The recipient marked the email as spam; the address is now suppressed."
        case .unsubscribed: "The recipient unsubscribed; later emails to the address are not sent."
        case .rejected: "The provider refused the request; the email was never sent."
        }
    }

    public static func < (lhs: EmailStatus, rhs: EmailStatus) -> Bool { lhs.code < rhs.code }
}

/// The meaning of a status, used to colour it. Always shown together with the word.
public enum StatusTone: String, Sendable, Hashable {
    case ok, warning, error, muted
}
