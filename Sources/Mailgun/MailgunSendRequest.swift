/// The parts of a `POST /v3/{domain}/messages` request the audit uses.
public struct MailgunSendRequest: Sendable, Hashable {
    /// The From header, e.g. `Harbour Lets <accounts@mg.harbourlets.co.uk>`.
    public var from: String
    /// The `to` recipients (each becomes its own event chain).
    public var to: [String]
    /// The `cc` recipients (each becomes its own event chain too).
    public var cc: [String]
    /// The subject line.
    public var subject: String
    /// The plain-text body.
    public var text: String
    /// Attached files (only name and size matter here).
    public var attachments: [MailgunAttachment]
    /// `o:tag` values.
    public var tags: [String]
    /// `v:` custom variables; they come back as `user-variables` on every event.
    public var variables: [String: String]

    /// Creates a send request.
    public init(from: String, to: [String], cc: [String] = [], subject: String, text: String,
                attachments: [MailgunAttachment] = [], tags: [String] = [], variables: [String: String] = [:]) {
        self.from = from
        self.to = to
        self.cc = cc
        self.subject = subject
        self.text = text
        self.attachments = attachments
        self.tags = tags
        self.variables = variables
    }

    /// All recipients in the order Mailgun processes them: `to`, then `cc`.
    public var recipients: [String] { to + cc }
}

/// A file attached to a send request.
public struct MailgunAttachment: Sendable, Hashable {
    /// The file name, e.g. `Statement-2026-11.pdf`.
    public var filename: String
    /// The file's size in bytes.
    public var size: Int

    /// Creates an attachment.
    public init(filename: String, size: Int) {
        self.filename = filename
        self.size = size
    }
}
