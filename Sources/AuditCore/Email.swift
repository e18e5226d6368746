import Foundation

/// An email as recorded by the audit, with its derived status.
public struct Email: Sendable, Hashable {
    public var id: Int64
    public var accountID: Int64
    public var raisedByID: Int64
    public var raisedByName: String
    public var activity: Activity
    public var to: String
    public var cc: [String]
    public var from: String
    public var subject: String
    public var textBody: String
    public var attachmentNames: [String]
    public var createdAt: Date
    /// The provider's message id, without angle brackets; nil until handed over.
    public var providerMessageID: String?
    public var status: EmailStatus
    public var statusDetail: StatusDetail?
    public var lastEventAt: Date?

    public init(id: Int64, accountID: Int64, raisedByID: Int64, raisedByName: String, activity: Activity,
                to: String, cc: [String], from: String, subject: String, textBody: String,
                attachmentNames: [String], createdAt: Date, providerMessageID: String?,
                status: EmailStatus, statusDetail: StatusDetail?, lastEventAt: Date?) {
        self.id = id
        self.accountID = accountID
        self.raisedByID = raisedByID
        self.raisedByName = raisedByName
        self.activity = activity
        self.to = to
        self.cc = cc
        self.from = from
        self.subject = subject
        self.textBody = textBody
        self.attachmentNames = attachmentNames
        self.createdAt = createdAt
        self.providerMessageID = providerMessageID
        self.status = status
        self.statusDetail = statusDetail
        self.lastEventAt = lastEventAt
    }
}

/// The one-line summary of an email shown in lists and exports.
public struct EmailSummary: Sendable, Hashable, Codable {
    public var id: Int64
    public var createdAt: Date
    public var to: String
    public var subject: String
    public var raisedByName: String
    public var status: EmailStatus
    public var activity: Activity

    public init(id: Int64, createdAt: Date, to: String, subject: String, raisedByName: String,
                status: EmailStatus, activity: Activity) {
        self.id = id
        self.createdAt = createdAt
        self.to = to
        self.subject = subject
        self.raisedByName = raisedByName
        self.status = status
        self.activity = activity
    }

    /// The keyset position of this row.
    public var cursor: EmailCursor { EmailCursor(createdAt: createdAt, id: id) }
}

extension Email {
    /// Whether the email is known only from provider events: a message this system never recorded.
    public var isNotRecordedHere: Bool { activity == .external }
}

/// Everything the View pop-up shows about one email.
public struct EmailDetail: Sendable, Hashable {
    public var email: Email
    /// Every event, oldest first.
    public var events: [ProviderEvent]
    /// The units whose contacts use the recipient address.
    public var units: [UnitContactRow]
    /// The recipient's entry on the account's suppression list, when the address is suppressed now.
    public var suppression: SuppressionEntry?
    /// The email this one resends and the emails it was resent as.
    public var links: ResendLinks

    public init(email: Email, events: [ProviderEvent], units: [UnitContactRow], suppression: SuppressionEntry? = nil,
                links: ResendLinks = ResendLinks()) {
        self.email = email
        self.events = events
        self.units = units
        self.suppression = suppression
        self.links = links
    }

    /// What staff should do about the outcome. For an email this system never recorded
    /// (known only from the provider's events) the advice says so first.
    public var recommendedAction: String {
        RecommendedAction.advice(for: email.status, detail: email.statusDetail, notRecordedHere: email.isNotRecordedHere)
    }
}

/// A new email to record, before it has an id.
public struct NewEmail: Sendable, Hashable {
    public var accountID: Int64
    public var raisedByID: Int64
    public var activity: Activity
    public var to: String
    public var cc: [String]
    public var from: String
    public var subject: String
    public var textBody: String
    public var attachmentNames: [String]
    public var createdAt: Date
    public var unitIDs: [Int64]
    /// The host system's own id for the email (unique per account), when it came through the intake.
    public var hostID: String?

    public init(accountID: Int64, raisedByID: Int64, activity: Activity, to: String, cc: [String] = [],
                from: String, subject: String, textBody: String, attachmentNames: [String] = [],
                createdAt: Date, unitIDs: [Int64] = [], hostID: String? = nil) {
        self.accountID = accountID
        self.raisedByID = raisedByID
        self.activity = activity
        self.to = to
        self.cc = cc
        self.from = from
        self.subject = subject
        self.textBody = textBody
        self.attachmentNames = attachmentNames
        self.createdAt = createdAt
        self.unitIDs = unitIDs
        self.hostID = hostID
    }
}
