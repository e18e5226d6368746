/// What a store holds, and can write, to find the email an incoming event belongs to. Each
/// store's ingest implements it over its own tables, caching what it read for the rest of its
/// transaction; ``EventOwnership/owner(of:in:)`` is the one rule that uses it.
public protocol EventOwnerLookup: AnyObject {
    /// The email `id` names (any account: an audit id names an email, and the recipient check
    /// decides whether the event may claim it), or nil when there is none.
    func auditedEmail(_ id: Int64) throws -> EventOwnership.AuditedEmail?
    /// The email with this provider message id and recipient, if one exists.
    func email(messageID: String, recipient: String) throws -> Int64?
    /// The first (lowest id) email with this provider message id, whatever its recipient.
    func firstEmail(messageID: String) throws -> Int64?
    /// Records `messageID` on the email `auditID`, which has none yet (once set, a message id
    /// never changes), with the event's time as its hand-over time when it has none; from then
    /// on ``email(messageID:recipient:)`` finds the email under it.
    func claim(_ auditID: Int64, messageID: String, for item: IncomingEvent) throws
    /// Makes the same message to `item`'s recipient (a cc): a copy of `source`'s row for that
    /// recipient, Pending, with no events yet. Returns its id; from then on
    /// ``email(messageID:recipient:)`` finds it.
    func makeSibling(of source: Int64, for item: IncomingEvent) throws -> Int64
    /// Makes an email for a message the store never recorded, raised by the account's External
    /// user from the event's headers. Returns its id; from then on ``email(messageID:recipient:)``
    /// finds it.
    func makeExternal(for item: IncomingEvent) throws -> Int64
}

/// Which stored email an incoming provider event belongs to: one rule, followed by the ingest of
/// every store.
///
/// The email is found by its audit id when that email is to the same recipient and has the same
/// message id or none yet (then the message id is recorded on it), else by (message id,
/// recipient); else, when another email has the same message id (a cc recipient), a sibling row
/// is copied from it for the recipient; else an External email is made from the headers.
public enum EventOwnership {
    /// What a store holds of the email an audit id names.
    public struct AuditedEmail: Sendable, Hashable {
        /// The provider message id recorded on the email, nil before its hand-over.
        public var messageID: String?
        /// The email's recipient, bare and lower-cased.
        public var to: String

        public init(messageID: String?, to: String) {
            self.messageID = messageID
            self.to = to
        }
    }

    /// `item` with the recipient it is about: a rejected event carries none, and then it is the
    /// bare address of the To header.
    public static func withRecipient(_ item: IncomingEvent) -> IncomingEvent {
        guard item.recipient.isEmpty else { return item }
        var copy = item
        copy.recipient = EmailAddress.bare(item.headers.to)
        return copy
    }

    /// The id of the email `item` belongs to, found (or made) through `emails`. `item`'s
    /// recipient must already be resolved (``withRecipient(_:)``).
    public static func owner(of item: IncomingEvent, in emails: some EventOwnerLookup) throws -> Int64 {
        let messageID = item.messageID, recipient = item.recipient
        // The common case: the email exists and nothing needs changing.
        if let auditID = item.auditEmailID, let info = try emails.auditedEmail(auditID),
           info.messageID == messageID, info.to == recipient {
            return auditID
        }
        if let id = try emails.email(messageID: messageID, recipient: recipient) { return id }

        var siblingSource: Int64?
        if let auditID = item.auditEmailID, var info = try emails.auditedEmail(auditID),
           info.messageID == nil || info.messageID == messageID {
            // An audit id is only trusted to name the email when the event is about that
            // email's recipient (for a rejection, which has no recipient, its To header):
            // anyone can put any audit id in an event.
            let recipientMatches = info.to == recipient
                || (item.event.kind == .rejected && info.to == EmailAddress.bare(item.headers.to))
            if info.messageID == nil, recipientMatches, !messageID.isEmpty,
               try emails.email(messageID: messageID, recipient: info.to) == nil {
                try emails.claim(auditID, messageID: messageID, for: item)
                info.messageID = messageID
            }
            if info.messageID == messageID {
                // A rejection is about the whole request, whatever recipient the provider read
                // out of a malformed To (it may split "a@b,com" into two), so it belongs to the email.
                if info.to == recipient || item.event.kind == .rejected { return auditID }
                siblingSource = auditID
            }
        }
        // (No second look for (message id, recipient): a claim above records the message id
        // for the audited email's own recipient, and that case has returned.)
        if let source = try siblingSource ?? emails.firstEmail(messageID: messageID) {
            return try emails.makeSibling(of: source, for: item)
        }
        return try emails.makeExternal(for: item)
    }
}
