import Foundation

/// The headers of the message an event is about, used to build an email for a message the
/// store has never seen (sent by another system, or found in an imported provider log).
public struct MessageHeaders: Sendable, Hashable {
    /// The To header (a display form such as `Alice <alice@example.net>` is fine).
    public var to: String
    /// The From header.
    public var from: String
    public var subject: String
    /// File names of the message's attachments.
    public var attachmentNames: [String]

    public init(to: String = "", from: String = "", subject: String = "", attachmentNames: [String] = []) {
        self.to = to
        self.from = from
        self.subject = subject
        self.attachmentNames = attachmentNames
    }
}

/// One provider event on its way into the store.
public struct IncomingEvent: Sendable, Hashable {
    /// The provider's message id, bare (no angle brackets).
    public var messageID: String
    /// The recipient the event is about, lower-cased.
    public var recipient: String
    public var event: ProviderEvent
    /// The event exactly as the provider sent it.
    public var rawJSON: String {
        didSet { packedRawJSON = nil }
    }
    /// `rawJSON` as stored (the store's compact text), when the store's compactor prepared it off the
    /// writer's thread: `.some(nil)` when it is stored as text, nil when not prepared.
    package var packedRawJSON: [UInt8]??
    public var headers: MessageHeaders
    /// The email id the sender put in the message's user variables ("audit-id"), if any.
    public var auditEmailID: Int64?

    /// Normalises the message id (brackets removed) and the recipient (bare, lower-cased).
    public init(messageID: String, recipient: String, event: ProviderEvent, rawJSON: String,
                headers: MessageHeaders = MessageHeaders(), auditEmailID: Int64? = nil) {
        self.messageID = ProviderMessageID.bare(messageID)
        self.recipient = EmailAddress.bare(recipient)
        self.event = event
        self.rawJSON = rawJSON
        self.headers = headers
        self.auditEmailID = auditEmailID
    }
}

/// Provider message ids as the store keeps them.
public enum ProviderMessageID {
    /// A provider message id without surrounding spaces or angle brackets.
    public static func bare(_ id: String) -> String {
        // Fast path: ids from the decoder are already bare.
        if let first = id.utf8.first, let last = id.utf8.last,
           first != UInt8(ascii: "<"), last != UInt8(ascii: ">"), first > 0x20, last > 0x20 {
            return id
        }
        var text = id.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("<") { text.removeFirst() }
        if text.hasSuffix(">") { text.removeLast() }
        return text
    }
}
