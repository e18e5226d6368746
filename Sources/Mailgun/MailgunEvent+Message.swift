extension MailgunEvent {
    /// Mailgun's `message` object. Engagement events (opened, clicked, unsubscribed) carry
    /// only `headers.message-id`.
    public struct Message: Sendable, Hashable {
        /// The message's main headers.
        public var headers: Headers?
        /// Attached files; nil when the event does not list them.
        public var attachments: [Attachment]?
        /// The envelope recipients (accepted and stored events).
        public var recipients: [String]?
        /// The message size in bytes.
        public var size: Int?

        /// Creates a message description.
        public init(headers: Headers? = nil, attachments: [Attachment]? = nil, recipients: [String]? = nil,
                    size: Int? = nil) {
            self.headers = headers
            self.attachments = attachments
            self.recipients = recipients
            self.size = size
        }
    }

    /// The headers Mailgun reports in `message.headers`.
    public struct Headers: Sendable, Hashable {
        /// The To header as sent, e.g. `Alice <alice@example.net>`.
        public var to: String?
        /// The From header as sent.
        public var from: String?
        /// The Subject header.
        public var subject: String?
        /// The Message-Id, without angle brackets in Mailgun's events.
        public var messageID: String?

        /// Creates a set of headers.
        public init(to: String? = nil, from: String? = nil, subject: String? = nil, messageID: String? = nil) {
            self.to = to
            self.from = from
            self.subject = subject
            self.messageID = messageID
        }
    }

    /// One entry of `message.attachments`.
    public struct Attachment: Sendable, Hashable {
        /// The file name.
        public var filename: String
        /// The MIME type, e.g. `application/pdf`.
        public var contentType: String
        /// The size in bytes.
        public var size: Int

        /// Creates an attachment description.
        public init(filename: String, contentType: String, size: Int) {
            self.filename = filename
            self.contentType = contentType
            self.size = size
        }
    }
}
