/// One decoded input line: the typed event, its raw JSON, and the webhook signature if the
/// line was a webhook body.
public struct DecodedMailgunEvent: Sendable, Hashable {
    /// The typed event.
    public var event: MailgunEvent
    /// The event object's own JSON text exactly as received (surrounding whitespace trimmed).
    /// For a webhook body this is the `event-data` member's text, cut from the body byte
    /// for byte, so unknown fields survive.
    public var rawJSON: String
    /// The webhook `signature` object, when the line was a webhook body that had one.
    public var signature: MailgunWebhookSignature?

    /// Creates a decoded event.
    public init(event: MailgunEvent, rawJSON: String, signature: MailgunWebhookSignature? = nil) {
        self.event = event
        self.rawJSON = rawJSON
        self.signature = signature
    }
}
