import Foundation

/// An email whose derived status changed during an ingest.
public struct StatusChange: Sendable, Hashable {
    public var emailID: Int64
    /// The status before this ingest (Pending for an email created by it).
    public var old: EmailStatus
    /// The status derived from all the email's events now.
    public var new: EmailStatus
    public var accountID: Int64
    /// Who raised the email (the person to notify).
    public var raisedByID: Int64
    /// The recipient address.
    public var to: String
    /// The provider's reason for the new status.
    public var detail: StatusDetail?

    public init(emailID: Int64, old: EmailStatus, new: EmailStatus, accountID: Int64, raisedByID: Int64,
                to: String, detail: StatusDetail?) {
        self.emailID = emailID
        self.old = old
        self.new = new
        self.accountID = accountID
        self.raisedByID = raisedByID
        self.to = to
        self.detail = detail
    }
}

/// What one ingest transaction did.
public struct ApplyResult: Sendable, Hashable {
    /// Events stored for the first time.
    public var inserted: Int
    /// Events already stored (same provider event identity): ignored.
    public var duplicates: Int
    /// Emails created for messages the store had not seen (External emails and cc siblings).
    public var createdEmails: Int
    /// Emails whose status changed, in email id order.
    public var statusChanges: [StatusChange]
    /// Addresses newly put on the suppression list.
    public var suppressionsAdded: [SuppressionEntry]
    /// Notifications raised for users by the status changes (see ``NotificationRules``).
    public var notificationsRaised: Int

    public init(inserted: Int = 0, duplicates: Int = 0, createdEmails: Int = 0, statusChanges: [StatusChange] = [],
                suppressionsAdded: [SuppressionEntry] = [], notificationsRaised: Int = 0) {
        self.inserted = inserted
        self.duplicates = duplicates
        self.createdEmails = createdEmails
        self.statusChanges = statusChanges
        self.suppressionsAdded = suppressionsAdded
        self.notificationsRaised = notificationsRaised
    }

    /// Adds what a later transaction did, so that the result reads as one transaction's: counts
    /// summed, an email changed by both listed once (its status before the first, after the
    /// last; dropped when that is no change), in email id order.
    public mutating func append(_ later: ApplyResult) {
        inserted += later.inserted
        duplicates += later.duplicates
        createdEmails += later.createdEmails
        notificationsRaised += later.notificationsRaised
        suppressionsAdded += later.suppressionsAdded
        guard !later.statusChanges.isEmpty else { return }
        var merged = Dictionary(statusChanges.map { ($0.emailID, $0) }, uniquingKeysWith: { _, last in last })
        for change in later.statusChanges {
            if var earlier = merged[change.emailID] {
                earlier.new = change.new
                earlier.detail = change.detail
                merged[change.emailID] = earlier
            } else {
                merged[change.emailID] = change
            }
        }
        statusChanges = merged.values.filter { $0.old != $0.new }.sorted { $0.emailID < $1.emailID }
    }
}
