/// A typed, lenient view of one Mailgun event object, as delivered by the Events API
/// (`items[]`) or inside a webhook body (`event-data`).
///
/// Only the fields the audit needs are modelled; unknown keys are ignored when decoding
/// (Mailgun's schema is additive). Optional fields that arrive with an unexpected JSON type
/// are read leniently (a numeric string for a number, `null` for absent, `[]` for an empty
/// `user-variables` object) and otherwise left `nil` rather than failing the whole event.
///
/// Property names follow Swift conventions; ``MailgunEventEncoder`` writes Mailgun's own
/// hyphenated names (`log-level`, `delivery-status`, `user-variables` ...).
public struct MailgunEvent: Sendable, Hashable {
    /// The event type: `accepted`, `rejected`, `delivered`, `failed`, `opened`, `clicked`,
    /// `unsubscribed`, `complained`, `stored` and others (lower-cased when decoded).
    public var event: String
    /// Mailgun's event id (~22 URL-safe characters). Unique only within a day.
    public var id: String
    /// When the event happened: Unix epoch seconds with microseconds.
    public var timestamp: Double
    /// `info`, `warn` or `error`.
    public var logLevel: String?
    /// For accepted events: how the message was submitted, lower-cased (`http` or `smtp`).
    public var method: String?
    /// The recipient this event is about. Absent on `rejected` events; see ``effectiveRecipient``.
    public var recipient: String?
    /// The domain part of ``recipient``.
    public var recipientDomain: String?
    /// For failed events: `temporary` or `permanent`.
    public var severity: String?
    /// For failed events: `bounce`, `generic`, `greylisted`, `espblock`, `old`, `suppress-bounce` ...
    public var reason: String?
    /// The receiving server's (or Mailgun's) account of the delivery attempt.
    public var deliveryStatus: DeliveryStatus?
    /// Headers, attachments and size of the message.
    public var message: Message?
    /// SMTP envelope details.
    public var envelope: Envelope?
    /// Mailgun's boolean flags.
    public var flags: Flags?
    /// For rejected events: why Mailgun refused the request.
    public var reject: Reject?
    /// For clicked events: the link followed.
    public var url: String?
    /// For engagement events: the IP address of the reader.
    public var ip: String?
    /// For engagement events: where the reader was.
    public var geolocation: Geolocation?
    /// For engagement events: the reader's mail client.
    public var clientInfo: ClientInfo?
    /// The message's tags (`["*"]` on a domain-wide unsubscribe).
    public var tags: [String]
    /// Custom data from the send request's `v:` parameters. Non-string values are
    /// stringified as compact JSON (`42`, `true`, `{"a":1}`).
    public var userVariables: [String: String]
    /// Where Mailgun keeps a copy of the message.
    public var storage: Storage?

    /// Creates an event. Only `event`, `id` and `timestamp` are required.
    public init(event: String, id: String, timestamp: Double, logLevel: String? = nil, method: String? = nil,
                recipient: String? = nil, recipientDomain: String? = nil, severity: String? = nil,
                reason: String? = nil, deliveryStatus: DeliveryStatus? = nil, message: Message? = nil,
                envelope: Envelope? = nil, flags: Flags? = nil, reject: Reject? = nil, url: String? = nil,
                ip: String? = nil, geolocation: Geolocation? = nil, clientInfo: ClientInfo? = nil,
                tags: [String] = [], userVariables: [String: String] = [:], storage: Storage? = nil) {
        self.event = event
        self.id = id
        self.timestamp = timestamp
        self.logLevel = logLevel
        self.method = method
        self.recipient = recipient
        self.recipientDomain = recipientDomain
        self.severity = severity
        self.reason = reason
        self.deliveryStatus = deliveryStatus
        self.message = message
        self.envelope = envelope
        self.flags = flags
        self.reject = reject
        self.url = url
        self.ip = ip
        self.geolocation = geolocation
        self.clientInfo = clientInfo
        self.tags = tags
        self.userVariables = userVariables
        self.storage = storage
    }

    /// The event types that concern one sent message and so must carry
    /// `message.headers.message-id`.
    public static let messageEventTypes: Set<String> = [
        "accepted", "rejected", "delivered", "failed", "opened", "clicked", "unsubscribed", "complained",
    ]

    /// Whether this event type concerns one sent message (see ``messageEventTypes``).
    public var isMessageEvent: Bool {
        Self.messageEventTypes.contains(event.lowercased())
    }

    /// `message.headers.message-id` without angle brackets and surrounding whitespace
    /// (nil when absent or empty). This is the form to store and to filter the Events API by.
    public var bareMessageID: String? {
        guard let raw = message?.headers?.messageID else { return nil }
        let bare = MailgunSendResponse.bareMessageID(raw)
        return bare.isEmpty ? nil : bare
    }

    /// The recipient this event is about, lower-cased: ``recipient`` when present, else the
    /// bare address in `message.headers.to` (rejected events carry no `recipient`).
    public var effectiveRecipient: String? {
        if let recipient = recipient?.trimmed, !recipient.isEmpty {
            return recipient.lowercased()
        }
        guard let to = message?.headers?.to else { return nil }
        let bare = Self.bareAddress(inHeader: to)
        return bare.isEmpty ? nil : bare
    }

    /// The first address in a header value such as `"Alice <alice@example.net>, bob@example.org"`,
    /// without display name or brackets, lower-cased.
    public static func bareAddress(inHeader header: String) -> String {
        if let open = header.firstIndex(of: "<"),
           let close = header[open...].firstIndex(of: ">") {
            return header[header.index(after: open)..<close].trimmed.lowercased()
        }
        let first = header.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: true).first ?? ""
        return first.trimmed.lowercased()
    }
}

extension StringProtocol {
    /// The text without leading and trailing ASCII whitespace.
    var trimmed: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        // Fast path (the ingest calls this several times per event): nothing to trim.
        if let first, let last, !isSpace(first), !isSpace(last) { return String(self) }
        guard let first = firstIndex(where: { !isSpace($0) }),
              let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
